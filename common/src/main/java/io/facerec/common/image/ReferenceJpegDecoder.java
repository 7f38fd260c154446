/*
 * Port of jpeg-js 0.4.4, lib/decoder.js (https://github.com/jpeg-js/jpeg-js), which derives from pdf.js:
 *
 *   Copyright 2011 notmasteryet
 *
 *   Licensed under the Apache License, Version 2.0 (the "License");
 *   you may not use this file except in compliance with the License.
 *   You may obtain a copy of the License at
 *
 *       http://www.apache.org/licenses/LICENSE-2.0
 *
 *   Unless required by applicable law or agreed to in writing, software
 *   distributed under the License is distributed on an "AS IS" BASIS,
 *   WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 *   See the License for the specific language governing permissions and
 *   limitations under the License.
 *
 * Changes from the original, none of which changes a decoded byte: Java; flat primitive arrays instead of per-block
 * typed arrays; the Huffman tree built by the original's code, then flattened into a lookup table read from a 64-bit
 * bit buffer (same bits consumed, same failures at markers and at the end of the data); baseline blocks put through
 * the IDCT as soon as they are decoded when the file allows it (else the original's two passes); a shortcut for
 * blocks without AC coefficients; the YCbCr to RGB conversion in integer tables proven equal to the original's
 * truncated doubles; RGB or BGR output without alpha. It refuses 12-bit and other precisions, which jpeg-js would
 * decode as 8-bit garbage. The integer IDCT, the chroma replication and the colour formulas are the original's,
 * operation for operation: the output is bit-identical to jpeg-js's {@code decode(buf, {useTArray: true})}.
 */
package io.facerec.common.image;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes JPEG exactly as jpeg-js 0.4.4 does (the pure-JavaScript decoder the reference detector harness uses), so
 * that our network input can be compared with the reference's pixel for pixel. Baseline and progressive Huffman,
 * restart intervals, any chroma subsampling (nearest-neighbour replication, as jpeg-js), Adobe APP14 and CMYK/YCCK;
 * colour transform as jpeg-js's default ({@code colorTransform} undefined: always YCbCr for three components, Adobe
 * transform flag for four).
 *
 * <p>What jpeg-js cannot decode (arithmetic coding, lossless, hierarchical, 12-bit, two components, four components
 * without an Adobe marker) and what it fails on (truncated or corrupt data) raise {@link JpegDecodeException}, so that
 * callers can fall back to another decoder. Thread-safe: each {@link #decode} call has its own state.
 */
public final class ReferenceJpegDecoder {
    /** Channel order of the output. */
    public enum Order {
        RGB, BGR
    }

    /** Decoded pixels: {@code width * height * 3} bytes, row after row, in the requested channel order. */
    public record Image(int width, int height, byte[] pixels) {
    }

    /** Why a JPEG was refused. */
    public enum Reason {
        /** A valid JPEG variant jpeg-js does not decode (arithmetic coding, lossless, 12-bit...). */
        UNSUPPORTED,
        /** Not a JPEG, truncated, or corrupt data that jpeg-js fails on. */
        MALFORMED,
        /** The frame header declares more pixels than the caller's limit (checked before any pixel memory). */
        TOO_MANY_PIXELS
    }

    /** A JPEG this decoder refuses; {@link #reason()} says why. */
    public static final class JpegDecodeException extends IOException {
        private final Reason reason;

        JpegDecodeException(Reason reason, String message) {
            super(message);
            this.reason = reason;
        }

        JpegDecodeException(Reason reason, String message, Throwable cause) {
            super(message, cause);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    private static final int[] ZIGZAG = {
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
        28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61,
        54, 47, 55, 62, 63};

    private static final int DCT_COS1 = 4017; // cos(pi/16)
    private static final int DCT_SIN1 = 799; // sin(pi/16)
    private static final int DCT_COS3 = 3406; // cos(3*pi/16)
    private static final int DCT_SIN3 = 2276; // sin(3*pi/16)
    private static final int DCT_COS6 = 1567; // cos(6*pi/16)
    private static final int DCT_SIN6 = 3784; // sin(6*pi/16)
    private static final int DCT_SQRT2 = 5793; // sqrt(2)
    private static final int DCT_SQRT1D2 = 2896; // sqrt(2) / 2

    /** The JavaScript products of the YCbCr to RGB conversion, one per sample value (same doubles as computed inline). */
    private static final double[] CR_R = new double[256];
    private static final double[] CB_G = new double[256];
    private static final double[] CR_G = new double[256];
    private static final double[] CB_B = new double[256];

    /**
     * Integer forms of the same conversion: {@code trunc(clamp(Y + d))} equals {@code clamp(Y + floor(d))} for every
     * sample value (the doubles never land within rounding distance of an integer; checked exhaustively over all
     * 2^24 (Y, Cb, Cr) by {@code ReferenceJpegDecoderTest}). {@link #G_OFF} is indexed {@code (Cb << 8) | Cr}.
     */
    static final int[] R_OFF = new int[256];
    static final int[] B_OFF = new int[256];
    static final int[] G_OFF = new int[256 * 256];
    /** {@code CLAMP[v + CLAMP_BIAS]} = v clamped to 0..255, for every Y + offset above. */
    private static final byte[] CLAMP = new byte[1024];
    private static final int CLAMP_BIAS = 384;

    static {
        for (int i = 0; i < 256; i++) {
            CR_R[i] = 1.402 * (i - 128);
            CB_G[i] = 0.3441363 * (i - 128);
            CR_G[i] = 0.71413636 * (i - 128);
            CB_B[i] = 1.772 * (i - 128);
        }
        for (int i = 0; i < 256; i++) {
            R_OFF[i] = (int) Math.floor(CR_R[i]);
            B_OFF[i] = (int) Math.floor(CB_B[i]);
            for (int j = 0; j < 256; j++) {
                G_OFF[(i << 8) | j] = (int) Math.floor(-CB_G[i] - CR_G[j]);
            }
        }
        for (int v = 0; v < CLAMP.length; v++) {
            int x = v - CLAMP_BIAS;
            CLAMP[v] = (byte) (x < 0 ? 0 : Math.min(x, 255));
        }
    }

    private ReferenceJpegDecoder() {
    }

    /** {@link #decode(byte[], Order, long, long)} without a pixel limit or a memory budget. */
    public static Image decode(byte[] jpeg, Order order) throws JpegDecodeException {
        return decode(jpeg, order, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    /**
     * @param maxPixels largest width x height accepted, checked on the frame header before allocating anything
     * @param maxHeapBytes the most Java heap the decode may allocate (coefficients of progressive files, sample
     *     planes, the output), estimated from the frame header before allocating anything, like jpeg-js's
     *     {@code maxMemoryUsageInMB}; above it the JPEG is refused as {@link Reason#UNSUPPORTED}
     * @throws JpegDecodeException for anything jpeg-js does not decode, with the reason
     */
    public static Image decode(byte[] jpeg, Order order, long maxPixels, long maxHeapBytes)
            throws JpegDecodeException {
        try {
            Parser p = new Parser(jpeg, maxPixels, maxHeapBytes, true);
            try {
                p.parse();
            } catch (NotFusable e) {
                p = new Parser(jpeg, maxPixels, maxHeapBytes, false);
                try {
                    p.parse();
                } catch (NotFusable impossible) {
                    throw new IllegalStateException("the two-pass decoder is always exact", impossible);
                }
            }
            return p.output(order);
        } catch (JpegDecodeException e) {
            throw e;
        } catch (IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new JpegDecodeException(Reason.MALFORMED, "corrupt or truncated JPEG (" + e + ")", e);
        }
    }

    /** jpeg-js's own order of work (all coefficients, then the IDCT), never the single pass: for tests. */
    static Image decodeTwoPass(byte[] jpeg, Order order) throws JpegDecodeException {
        Parser p = new Parser(jpeg, Long.MAX_VALUE, Long.MAX_VALUE, false);
        try {
            p.parse();
        } catch (NotFusable impossible) {
            throw new IllegalStateException(impossible);
        }
        return p.output(order);
    }

    /**
     * Thrown when a baseline file does something the single-pass decoder cannot reproduce exactly (a component in two
     * scans, a quantisation table redefined after its scan or missing at the scan, a component without a scan): the
     * file is then decoded again as jpeg-js does, coefficients first and IDCT at the end.
     */
    private static final class NotFusable extends Exception {
        NotFusable() {
            super(null, null, false, false);
        }
    }

    // ------------------------------------------------------------------------------------------ Huffman tables

    /**
     * A Huffman table as jpeg-js builds it (its {@code buildHuffmanTable}, ported literally, gives the tree; the tree is
     * then flattened). {@code fast[9 bits]}: {@code (length << 8) | symbol} for codes of up to 9 bits,
     * {@code -(node + 1)} to continue bit by bit from an inner node at depth 9, 0 for a path the tree does not have.
     * Inner nodes: {@code children[2 * node + bit]}: {@code >= 0} inner node, {@code -(symbol + 1)} leaf,
     * {@link #NONE} missing.
     */
    static final class Huffman {
        static final int FAST_BITS = 9;
        static final int NONE = Integer.MIN_VALUE;
        final int[] fast = new int[1 << FAST_BITS];
        int[] children;

        private static final class Node {
            final Object[] children = new Object[2];
            int index;
        }

        static Huffman build(int[] codeLengths, int[] values) throws JpegDecodeException {
            // jpeg-js buildHuffmanTable, statement for statement
            int k = 0;
            int length = 16;
            while (length > 0 && codeLengths[length - 1] == 0) {
                length--;
            }
            ArrayDeque<Node> code = new ArrayDeque<>();
            Node root = new Node();
            code.push(root);
            Node p = root;
            Node q;
            for (int i = 0; i < length; i++) {
                for (int j = 0; j < codeLengths[i]; j++) {
                    p = code.pop();
                    set(p, p.index, k < values.length ? values[k] : null);
                    while (p.index > 0) {
                        if (code.isEmpty()) {
                            throw new JpegDecodeException(Reason.MALFORMED, "Could not recreate Huffman Table");
                        }
                        p = code.pop();
                    }
                    p.index++;
                    code.push(p);
                    while (code.size() <= i) {
                        q = new Node();
                        code.push(q);
                        set(p, p.index, q);
                        p = q;
                    }
                    k++;
                }
                if (i + 1 < length) {
                    q = new Node();
                    code.push(q);
                    set(p, p.index, q);
                    p = q;
                }
            }
            return flatten(root);
        }

        private static void set(Node p, int index, Object child) {
            if (index < 2) { // a JS array would grow; bits are only ever 0 or 1, so nothing reads index >= 2
                p.children[index] = child;
            }
        }

        private static Huffman flatten(Node root) {
            Huffman h = new Huffman();
            List<Node> nodes = new ArrayList<>();
            java.util.IdentityHashMap<Node, Integer> ids = new java.util.IdentityHashMap<>();
            ArrayDeque<Node> todo = new ArrayDeque<>();
            ids.put(root, 0);
            nodes.add(root);
            todo.add(root);
            while (!todo.isEmpty()) {
                Node n = todo.poll();
                for (Object c : n.children) {
                    if (c instanceof Node cn && !ids.containsKey(cn)) {
                        ids.put(cn, nodes.size());
                        nodes.add(cn);
                        todo.add(cn);
                    }
                }
            }
            h.children = new int[2 * nodes.size()];
            for (int i = 0; i < nodes.size(); i++) {
                for (int b = 0; b < 2; b++) {
                    Object c = nodes.get(i).children[b];
                    int v;
                    if (c instanceof Node cn) {
                        v = ids.get(cn);
                    } else if (c instanceof Integer sym) {
                        v = -(sym + 1);
                    } else {
                        v = NONE;
                    }
                    h.children[2 * i + b] = v;
                }
            }
            for (int prefix = 0; prefix < (1 << FAST_BITS); prefix++) {
                int node = 0;
                int entry = 0;
                for (int len = 1; len <= FAST_BITS; len++) {
                    int bit = (prefix >>> (FAST_BITS - len)) & 1;
                    int c = h.children[2 * node + bit];
                    if (c == NONE) {
                        entry = 0;
                        break;
                    }
                    if (c < 0) {
                        entry = (len << 8) | (-c - 1);
                        break;
                    }
                    node = c;
                    if (len == FAST_BITS) {
                        entry = -(node + 1);
                    }
                }
                h.fast[prefix] = entry;
            }
            return h;
        }
    }

    // ------------------------------------------------------------------------------------------ frame and components

    private static final class Component {
        final int id;
        final int h;
        final int v;
        final int quantizationIdx;
        int[] quantizationTable;
        int blocksPerLine;
        int blocksPerColumn;
        int blocksPerLineForMcu;
        int blocksPerColumnForMcu;
        /** All blocks, 64 coefficients each (natural order), blocksPerColumnForMcu rows of blocksPerLineForMcu. */
        int[] blocks;
        long pred;
        Huffman huffmanTableDC;
        Huffman huffmanTableAC;
        /** Decoded samples: blocksPerColumn * 8 lines of blocksPerLine * 8. */
        byte[] lines;
        int lineWidth;
        /** Single-pass mode: this component's scan has been decoded. */
        boolean scanned;

        Component(int id, int h, int v, int quantizationIdx) {
            this.id = id;
            this.h = h;
            this.v = v;
            this.quantizationIdx = quantizationIdx;
        }
    }

    private static final class Frame {
        boolean progressive;
        int precision;
        int scanLines;
        int samplesPerLine;
        final Component[] components = new Component[256]; // by component id, as the JS object keyed by id
        final List<Integer> componentsOrder = new ArrayList<>();
        int maxH;
        int maxV;
        int mcusPerLine;
        int mcusPerColumn;
    }

    // ------------------------------------------------------------------------------------------ parser

    private static final class Parser {
        private final byte[] data;
        private final int length;
        private final long maxPixels;
        private final long maxHeapBytes;
        /**
         * Single pass for baseline frames: each block goes through the IDCT as soon as it is decoded, with the
         * quantisation table of that moment, instead of keeping every coefficient until the end as jpeg-js does. Exact
         * as long as each component is in exactly one scan and its table is not redefined afterwards; otherwise
         * {@link NotFusable} is thrown and the caller decodes again without it.
         */
        private final boolean fused;
        private boolean fusedFrame;
        private int fusedTables; // bit i: quantisation table i was used by a single-pass scan
        private int offset;

        private Frame frame;
        private int frames;
        private boolean adobe;
        private int adobeTransformCode;
        private int resetInterval;
        private final int[][] quantizationTables = new int[16][];
        private final Huffman[] huffmanTablesAC = new Huffman[16];
        private final Huffman[] huffmanTablesDC = new Huffman[16];

        private int width;
        private int height;
        private final List<Component> outComponents = new ArrayList<>();

        Parser(byte[] data, long maxPixels, long maxHeapBytes, boolean fused) {
            this.data = data;
            this.length = data.length;
            this.maxPixels = maxPixels;
            this.maxHeapBytes = maxHeapBytes;
            this.fused = fused;
        }

        /** data[i] as JavaScript reads a Uint8Array: out of range is undefined, which is 0 in integer operations. */
        private int u8(int i) {
            return i >= 0 && i < length ? data[i] & 0xff : 0;
        }

        private int readUint16() {
            int value = (u8(offset) << 8) | u8(offset + 1);
            offset += 2;
            return value;
        }

        /** readDataBlock: the segment payload's bounds [start, end). */
        private int[] readDataBlock() {
            int len = readUint16();
            int start = Math.min(offset, length);
            int end = Math.max(start, Math.min(length, offset + len - 2));
            offset += end - start;
            return new int[] {start, end};
        }

        void parse() throws JpegDecodeException, NotFusable {
            int fileMarker = readUint16();
            int malformedDataOffset = -1;
            if (fileMarker != 0xFFD8) {
                throw new JpegDecodeException(Reason.MALFORMED, "SOI not found");
            }
            fileMarker = readUint16();
            while (fileMarker != 0xFFD9) {
                switch (fileMarker) {
                    case 0xFF00:
                        break;
                    case 0xFFE0, 0xFFE1, 0xFFE2, 0xFFE3, 0xFFE4, 0xFFE5, 0xFFE6, 0xFFE7, 0xFFE8, 0xFFE9, 0xFFEA, 0xFFEB,
                            0xFFEC, 0xFFED, 0xFFEE, 0xFFEF, 0xFFFE: {
                        int[] app = readDataBlock();
                        if (fileMarker == 0xFFEE) {
                            int a = app[0];
                            int n = app[1] - a;
                            if (n > 5 && data[a] == 'A' && data[a + 1] == 'd' && data[a + 2] == 'o' && data[a + 3] == 'b'
                                    && data[a + 4] == 'e' && data[a + 5] == 0) {
                                adobe = true;
                                adobeTransformCode = n > 11 ? data[a + 11] & 0xff : 0; // undefined is falsy
                            }
                        }
                        break;
                    }
                    case 0xFFDB: { // DQT
                        int quantizationTablesLength = readUint16();
                        int quantizationTablesEnd = quantizationTablesLength + offset - 2;
                        while (offset < quantizationTablesEnd) {
                            int quantizationTableSpec = u8(offset++);
                            if (fusedFrame && (fusedTables & (1 << (quantizationTableSpec & 15))) != 0) {
                                throw new NotFusable(); // redefined after a scan already used it
                            }
                            int[] tableData = new int[64];
                            if ((quantizationTableSpec >> 4) == 0) { // 8 bit values
                                for (int j = 0; j < 64; j++) {
                                    tableData[ZIGZAG[j]] = u8(offset++);
                                }
                            } else if ((quantizationTableSpec >> 4) == 1) { // 16 bit
                                for (int j = 0; j < 64; j++) {
                                    tableData[ZIGZAG[j]] = readUint16();
                                }
                            } else {
                                throw new JpegDecodeException(Reason.MALFORMED, "DQT: invalid table spec");
                            }
                            quantizationTables[quantizationTableSpec & 15] = tableData;
                        }
                        break;
                    }
                    case 0xFFC0, 0xFFC1, 0xFFC2: { // SOF0 baseline, SOF1 extended, SOF2 progressive (Huffman)
                        readUint16(); // skip data length
                        Frame f = new Frame();
                        f.progressive = fileMarker == 0xFFC2;
                        f.precision = u8(offset++);
                        f.scanLines = readUint16();
                        f.samplesPerLine = readUint16();
                        if (f.precision != 8) {
                            // jpeg-js ignores the precision and would produce garbage: refuse instead
                            throw new JpegDecodeException(Reason.UNSUPPORTED,
                                    f.precision + "-bit samples are not supported (8-bit only)");
                        }
                        long pixelsInFrame = (long) f.scanLines * f.samplesPerLine;
                        if (pixelsInFrame > maxPixels) {
                            throw new JpegDecodeException(Reason.TOO_MANY_PIXELS, String.format(
                                    "%dx%d = %d pixels, above the limit of %d", f.samplesPerLine, f.scanLines,
                                    pixelsInFrame, maxPixels));
                        }
                        int componentsCount = u8(offset++);
                        for (int i = 0; i < componentsCount; i++) {
                            int componentId = u8(offset);
                            int h = u8(offset + 1) >> 4;
                            int v = u8(offset + 1) & 15;
                            int qId = u8(offset + 2);
                            if (h <= 0 || v <= 0) {
                                throw new JpegDecodeException(Reason.MALFORMED,
                                        "Invalid sampling factor, expected values above 0");
                            }
                            f.componentsOrder.add(componentId);
                            f.components[componentId] = new Component(componentId, h, v, qId);
                            offset += 3;
                        }
                        fusedFrame = fused && !f.progressive;
                        checkHeap(f, !fusedFrame);
                        prepareComponents(f, !fusedFrame);
                        frame = f;
                        frames++;
                        break;
                    }
                    case 0xFFC4: { // DHT
                        int huffmanLength = readUint16();
                        for (int i = 2; i < huffmanLength;) {
                            int huffmanTableSpec = u8(offset++);
                            int[] codeLengths = new int[16];
                            int codeLengthSum = 0;
                            for (int j = 0; j < 16; j++, offset++) {
                                codeLengthSum += (codeLengths[j] = u8(offset));
                            }
                            int[] huffmanValues = new int[codeLengthSum];
                            for (int j = 0; j < codeLengthSum; j++, offset++) {
                                huffmanValues[j] = u8(offset);
                            }
                            i += 17 + codeLengthSum;
                            Huffman t = Huffman.build(codeLengths, huffmanValues);
                            if ((huffmanTableSpec >> 4) == 0) {
                                huffmanTablesDC[huffmanTableSpec & 15] = t;
                            } else {
                                huffmanTablesAC[huffmanTableSpec & 15] = t; // as JS: any class but 0 is AC
                            }
                        }
                        break;
                    }
                    case 0xFFDD: // DRI
                        readUint16(); // skip data length
                        resetInterval = readUint16();
                        break;
                    case 0xFFDC: // DNL
                        readUint16();
                        readUint16();
                        break;
                    case 0xFFDA: { // SOS
                        readUint16(); // scan length
                        if (frame == null) {
                            throw new JpegDecodeException(Reason.MALFORMED, "scan before any frame header");
                        }
                        int selectorsCount = u8(offset++);
                        Component[] components = new Component[selectorsCount];
                        for (int i = 0; i < selectorsCount; i++) {
                            Component c = frame.components[u8(offset++)];
                            if (c == null) {
                                throw new JpegDecodeException(Reason.MALFORMED, "scan names an unknown component");
                            }
                            int tableSpec = u8(offset++);
                            c.huffmanTableDC = huffmanTablesDC[tableSpec >> 4];
                            c.huffmanTableAC = huffmanTablesAC[tableSpec & 15];
                            components[i] = c;
                        }
                        int spectralStart = u8(offset++);
                        int spectralEnd = u8(offset++);
                        int successiveApproximation = u8(offset++);
                        if (fusedFrame) {
                            for (Component c : components) {
                                int[] qt = c.quantizationIdx < 16 ? quantizationTables[c.quantizationIdx] : null;
                                if (c.scanned || qt == null) {
                                    throw new NotFusable();
                                }
                                c.scanned = true;
                                c.quantizationTable = qt;
                                fusedTables |= 1 << c.quantizationIdx;
                                allocateLines(c);
                            }
                        }
                        ScanDecoder scan = new ScanDecoder(data, frame, components, resetInterval, spectralStart,
                                spectralEnd, successiveApproximation >> 4, successiveApproximation & 15, fusedFrame);
                        offset += scan.decode(offset);
                        if (fusedFrame && !scan.complete) {
                            throw new NotFusable(); // blocks never decoded hold zero coefficients (grey) in jpeg-js
                        }
                        break;
                    }
                    case 0xFFFF: // fill bytes
                        if (u8(offset) != 0xFF) { // avoid skipping a valid marker
                            offset--;
                        }
                        break;
                    default: {
                        if (u8(offset - 3) == 0xFF && u8(offset - 2) >= 0xC0 && u8(offset - 2) <= 0xFE) {
                            // could be incorrect encoding -- last 0xFF byte of the previous block was eaten
                            offset -= 3;
                            break;
                        } else if (fileMarker == 0xE0 || fileMarker == 0xE1) {
                            // recover from malformed APP1 markers popular in some phone models (jpeg-js issue 82)
                            if (malformedDataOffset != -1) {
                                throw new JpegDecodeException(Reason.MALFORMED, "second unknown JPEG marker");
                            }
                            malformedDataOffset = offset - 1;
                            int nextOffset = readUint16();
                            if (u8(offset + nextOffset - 2) == 0xFF) {
                                offset += nextOffset - 2;
                                break;
                            }
                        }
                        throw unknownMarker(fileMarker);
                    }
                }
                fileMarker = readUint16();
            }
            if (frames != 1) {
                throw new JpegDecodeException(Reason.MALFORMED, "only single frame JPEGs supported");
            }
            Frame f = frame;
            if (fusedFrame) {
                for (int id : f.componentsOrder) {
                    if (!f.components[id].scanned) {
                        throw new NotFusable();
                    }
                }
            }
            for (int id : f.componentsOrder) {
                Component c = f.components[id];
                if (fusedFrame) {
                    continue; // tables bound at the scans, and never redefined after
                }
                int[] qt = c.quantizationIdx < 16 ? quantizationTables[c.quantizationIdx] : null;
                if (qt == null && c.blocksPerLine > 0 && c.blocksPerColumn > 0) {
                    // JS: qt[i] on an undefined table throws a TypeError in the first quantizeAndInverse
                    throw new JpegDecodeException(Reason.MALFORMED,
                            "component " + c.id + " uses undefined quantization table " + c.quantizationIdx);
                }
                c.quantizationTable = qt;
            }
            width = f.samplesPerLine;
            height = f.scanLines;
            for (int id : f.componentsOrder) {
                Component c = f.components[id];
                if (c.lines == null) {
                    buildComponentData(c);
                }
                outComponents.add(c);
            }
        }

        private static JpegDecodeException unknownMarker(int marker) {
            String what = switch (marker) {
                case 0xFFC3 -> "lossless JPEG (SOF3)";
                case 0xFFC5, 0xFFC6, 0xFFC7 -> "hierarchical JPEG (SOF" + (marker - 0xFFC0) + ")";
                case 0xFFC9, 0xFFCA, 0xFFCB, 0xFFCD, 0xFFCE, 0xFFCF ->
                        "arithmetic-coded JPEG (SOF" + (marker - 0xFFC0) + ")";
                case 0xFFCC -> "arithmetic-coded JPEG (DAC)";
                default -> null;
            };
            if (what != null) {
                return new JpegDecodeException(Reason.UNSUPPORTED, what + " is not supported");
            }
            return new JpegDecodeException(Reason.MALFORMED, "unknown JPEG marker " + Integer.toHexString(marker));
        }

        /** Refuses a frame whose coefficients (when kept), sample planes and output exceed the heap budget. */
        private void checkHeap(Frame f, boolean keepCoefficients) throws JpegDecodeException {
            int maxH = 1;
            int maxV = 1;
            for (int id : f.componentsOrder) {
                maxH = Math.max(maxH, f.components[id].h);
                maxV = Math.max(maxV, f.components[id].v);
            }
            double mcusPerLine = Math.ceil(f.samplesPerLine / 8.0 / maxH);
            double mcusPerColumn = Math.ceil(f.scanLines / 8.0 / maxV);
            double bytes = 3.0 * f.samplesPerLine * f.scanLines;
            for (int id : f.componentsOrder) {
                Component c = f.components[id];
                double blocks = mcusPerLine * c.h * mcusPerColumn * c.v;
                bytes += blocks * 64 * (keepCoefficients ? 4 + 1 : 1);
            }
            if (bytes > maxHeapBytes) {
                throw new JpegDecodeException(Reason.UNSUPPORTED, String.format(
                        "decoding this %dx%d JPEG would take about %.0f MB of heap, above the budget of %.0f MB",
                        f.samplesPerLine, f.scanLines, bytes / 1e6, maxHeapBytes / 1e6));
            }
        }

        private void prepareComponents(Frame f, boolean allocateBlocks) throws JpegDecodeException {
            int maxH = 1;
            int maxV = 1;
            for (int id : f.componentsOrder) {
                Component c = f.components[id];
                maxH = Math.max(maxH, c.h);
                maxV = Math.max(maxV, c.v);
            }
            int mcusPerLine = (int) Math.ceil(f.samplesPerLine / 8.0 / maxH);
            int mcusPerColumn = (int) Math.ceil(f.scanLines / 8.0 / maxV);
            for (int id : f.componentsOrder) {
                Component c = f.components[id];
                if (c.blocksPerLineForMcu != 0) {
                    continue; // a duplicate id: the JS object holds one component per id
                }
                c.blocksPerLine = (int) Math.ceil(Math.ceil(f.samplesPerLine / 8.0) * c.h / maxH);
                c.blocksPerColumn = (int) Math.ceil(Math.ceil(f.scanLines / 8.0) * c.v / maxV);
                c.blocksPerLineForMcu = mcusPerLine * c.h;
                c.blocksPerColumnForMcu = mcusPerColumn * c.v;
                long blocks = (long) c.blocksPerColumnForMcu * c.blocksPerLineForMcu * 64;
                if (blocks > Integer.MAX_VALUE - 8) {
                    throw new JpegDecodeException(Reason.UNSUPPORTED, "image too large for this decoder");
                }
                if (allocateBlocks) {
                    c.blocks = new int[(int) blocks];
                }
            }
            f.maxH = maxH;
            f.maxV = maxV;
            f.mcusPerLine = mcusPerLine;
            f.mcusPerColumn = mcusPerColumn;
        }

        // -------------------------------------------------------------------------------------- IDCT

        private static void allocateLines(Component c) throws JpegDecodeException {
            if (c.lines == null) {
                long size = (long) c.blocksPerLine * 8 * c.blocksPerColumn * 8;
                if (size > Integer.MAX_VALUE - 8) {
                    throw new JpegDecodeException(Reason.UNSUPPORTED, "image too large for this decoder");
                }
                c.lineWidth = c.blocksPerLine << 3;
                c.lines = new byte[(int) size];
            }
        }

        private static void buildComponentData(Component c) throws JpegDecodeException {
            int blocksPerLine = c.blocksPerLine;
            int blocksPerColumn = c.blocksPerColumn;
            int samplesPerLine = blocksPerLine << 3;
            allocateLines(c);
            int[] p = new int[64];
            int[] blocks = c.blocks;
            int[] qt = c.quantizationTable;
            byte[] lines = c.lines;
            for (int blockRow = 0; blockRow < blocksPerColumn; blockRow++) {
                int rowBase = blockRow * c.blocksPerLineForMcu;
                int outRow = (blockRow << 3) * samplesPerLine;
                for (int blockCol = 0; blockCol < blocksPerLine; blockCol++) {
                    quantizeAndInverse(blocks, (rowBase + blockCol) << 6, qt, p, lines, outRow + (blockCol << 3),
                            samplesPerLine);
                }
            }
            c.blocks = null; // the coefficients are no longer needed
        }

        /**
         * jpeg-js quantizeAndInverse: dequantisation and the poppler / Loeffler-Ligtenberg-Moschytz integer IDCT,
         * written into the component's lines. Java int arithmetic wraps exactly as JavaScript's ToInt32 on these
         * operations (every intermediate is an exact double below 2^53 before {@code >>} or the Int32Array store).
         */
        static void quantizeAndInverse(int[] zz, int zo, int[] qt, int[] p, byte[] out, int outOffset,
                int stride) {
            int v0;
            int v1;
            int v2;
            int v3;
            int v4;
            int v5;
            int v6;
            int v7;
            int t;
            // dequant
            int acOr = 0;
            p[0] = zz[zo] * qt[0];
            for (int i = 1; i < 64; i++) {
                acOr |= p[i] = zz[zo + i] * qt[i];
            }
            if (acOr == 0) {
                fillConstant(p[0], out, outOffset, stride);
                return;
            }
            // inverse DCT on rows
            for (int i = 0; i < 8; ++i) {
                int row = 8 * i;
                if (p[1 + row] == 0 && p[2 + row] == 0 && p[3 + row] == 0 && p[4 + row] == 0 && p[5 + row] == 0
                        && p[6 + row] == 0 && p[7 + row] == 0) {
                    t = (DCT_SQRT2 * p[row] + 512) >> 10;
                    p[row] = t;
                    p[1 + row] = t;
                    p[2 + row] = t;
                    p[3 + row] = t;
                    p[4 + row] = t;
                    p[5 + row] = t;
                    p[6 + row] = t;
                    p[7 + row] = t;
                    continue;
                }
                // stage 4
                v0 = (DCT_SQRT2 * p[row] + 128) >> 8;
                v1 = (DCT_SQRT2 * p[4 + row] + 128) >> 8;
                v2 = p[2 + row];
                v3 = p[6 + row];
                v4 = (DCT_SQRT1D2 * (p[1 + row] - p[7 + row]) + 128) >> 8;
                v7 = (DCT_SQRT1D2 * (p[1 + row] + p[7 + row]) + 128) >> 8;
                v5 = p[3 + row] << 4;
                v6 = p[5 + row] << 4;
                // stage 3
                t = (v0 - v1 + 1) >> 1;
                v0 = (v0 + v1 + 1) >> 1;
                v1 = t;
                t = (v2 * DCT_SIN6 + v3 * DCT_COS6 + 128) >> 8;
                v2 = (v2 * DCT_COS6 - v3 * DCT_SIN6 + 128) >> 8;
                v3 = t;
                t = (v4 - v6 + 1) >> 1;
                v4 = (v4 + v6 + 1) >> 1;
                v6 = t;
                t = (v7 + v5 + 1) >> 1;
                v5 = (v7 - v5 + 1) >> 1;
                v7 = t;
                // stage 2
                t = (v0 - v3 + 1) >> 1;
                v0 = (v0 + v3 + 1) >> 1;
                v3 = t;
                t = (v1 - v2 + 1) >> 1;
                v1 = (v1 + v2 + 1) >> 1;
                v2 = t;
                t = (v4 * DCT_SIN3 + v7 * DCT_COS3 + 2048) >> 12;
                v4 = (v4 * DCT_COS3 - v7 * DCT_SIN3 + 2048) >> 12;
                v7 = t;
                t = (v5 * DCT_SIN1 + v6 * DCT_COS1 + 2048) >> 12;
                v5 = (v5 * DCT_COS1 - v6 * DCT_SIN1 + 2048) >> 12;
                v6 = t;
                // stage 1
                p[row] = v0 + v7;
                p[7 + row] = v0 - v7;
                p[1 + row] = v1 + v6;
                p[6 + row] = v1 - v6;
                p[2 + row] = v2 + v5;
                p[5 + row] = v2 - v5;
                p[3 + row] = v3 + v4;
                p[4 + row] = v3 - v4;
            }
            // inverse DCT on columns, each column converted to 8-bit samples and written out at once
            for (int col = 0; col < 8; ++col) {
                int o = outOffset + col;
                if (p[8 + col] == 0 && p[16 + col] == 0 && p[24 + col] == 0 && p[32 + col] == 0 && p[40 + col] == 0
                        && p[48 + col] == 0 && p[56 + col] == 0) {
                    t = (DCT_SQRT2 * p[col] + 8192) >> 14;
                    byte b = sample(t);
                    for (int y = 0; y < 8; y++) {
                        out[o + y * stride] = b;
                    }
                    continue;
                }
                // stage 4
                v0 = (DCT_SQRT2 * p[col] + 2048) >> 12;
                v1 = (DCT_SQRT2 * p[32 + col] + 2048) >> 12;
                v2 = p[16 + col];
                v3 = p[48 + col];
                v4 = (DCT_SQRT1D2 * (p[8 + col] - p[56 + col]) + 2048) >> 12;
                v7 = (DCT_SQRT1D2 * (p[8 + col] + p[56 + col]) + 2048) >> 12;
                v5 = p[24 + col];
                v6 = p[40 + col];
                // stage 3
                t = (v0 - v1 + 1) >> 1;
                v0 = (v0 + v1 + 1) >> 1;
                v1 = t;
                t = (v2 * DCT_SIN6 + v3 * DCT_COS6 + 2048) >> 12;
                v2 = (v2 * DCT_COS6 - v3 * DCT_SIN6 + 2048) >> 12;
                v3 = t;
                t = (v4 - v6 + 1) >> 1;
                v4 = (v4 + v6 + 1) >> 1;
                v6 = t;
                t = (v7 + v5 + 1) >> 1;
                v5 = (v7 - v5 + 1) >> 1;
                v7 = t;
                // stage 2
                t = (v0 - v3 + 1) >> 1;
                v0 = (v0 + v3 + 1) >> 1;
                v3 = t;
                t = (v1 - v2 + 1) >> 1;
                v1 = (v1 + v2 + 1) >> 1;
                v2 = t;
                t = (v4 * DCT_SIN3 + v7 * DCT_COS3 + 2048) >> 12;
                v4 = (v4 * DCT_COS3 - v7 * DCT_SIN3 + 2048) >> 12;
                v7 = t;
                t = (v5 * DCT_SIN1 + v6 * DCT_COS1 + 2048) >> 12;
                v5 = (v5 * DCT_COS1 - v6 * DCT_SIN1 + 2048) >> 12;
                v6 = t;
                // stage 1, then the conversion to 8-bit integers
                out[o] = sample(v0 + v7);
                out[o + 7 * stride] = sample(v0 - v7);
                out[o + stride] = sample(v1 + v6);
                out[o + 6 * stride] = sample(v1 - v6);
                out[o + 2 * stride] = sample(v2 + v5);
                out[o + 5 * stride] = sample(v2 - v5);
                out[o + 3 * stride] = sample(v3 + v4);
                out[o + 4 * stride] = sample(v3 - v4);
            }
        }

        /** The final conversion of an IDCT output to an 8-bit sample: {@code 128 + ((v + 8) >> 4)}, clamped. */
        private static byte sample(int v) {
            int sample = 128 + ((v + 8) >> 4);
            return (byte) (sample < 0 ? 0 : sample > 0xFF ? 0xFF : sample);
        }

        /**
         * The IDCT above when every dequantised AC coefficient is 0: row 0 takes the all-zero shortcut
         * ({@code (sqrt2 * dc + 512) >> 10}), the other rows are 0, then every column takes its shortcut
         * ({@code (sqrt2 * t + 8192) >> 14}): one value for the whole block.
         */
        static void fillConstant(int dc, byte[] out, int outOffset, int stride) {
            int t = (DCT_SQRT2 * dc + 512) >> 10;
            t = (DCT_SQRT2 * t + 8192) >> 14;
            int sample = 128 + ((t + 8) >> 4);
            byte b = (byte) (sample < 0 ? 0 : sample > 0xFF ? 0xFF : sample);
            for (int y = 0; y < 8; y++) {
                int o = outOffset + y * stride;
                out[o] = b;
                out[o + 1] = b;
                out[o + 2] = b;
                out[o + 3] = b;
                out[o + 4] = b;
                out[o + 5] = b;
                out[o + 6] = b;
                out[o + 7] = b;
            }
        }

        // -------------------------------------------------------------------------------------- colour

        /** getData + copyToImageData of jpeg-js for an output of the frame's own size. */
        Image output(Order order) throws JpegDecodeException {
            int w = width;
            int h = height;
            int n = outComponents.size();
            if (n != 1 && n != 3 && n != 4) {
                throw new JpegDecodeException(Reason.UNSUPPORTED, "Unsupported color mode (" + n + " components)");
            }
            if (n == 4 && !adobe) {
                throw new JpegDecodeException(Reason.UNSUPPORTED,
                        "Unsupported color mode (4 components without an Adobe marker)");
            }
            if (w == 0 || h == 0) {
                throw new JpegDecodeException(Reason.MALFORMED, "empty image (" + w + "x" + h + ")");
            }
            byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
            int ri = order == Order.RGB ? 0 : 2;
            int bi = 2 - ri;
            // scaleX = this.width / width = 1 and scaleY = 1 here: index = 0 | (x * component.scaleX * 1)
            int[][] xIndex = new int[n][];
            double[] scaleY = new double[n];
            for (int c = 0; c < n; c++) {
                Component comp = outComponents.get(c);
                double scaleX = (double) comp.h / frame.maxH;
                scaleY[c] = (double) comp.v / frame.maxV;
                int[] xi = new int[w];
                for (int x = 0; x < w; x++) {
                    xi[x] = (int) (x * scaleX * 1.0);
                }
                xIndex[c] = xi;
            }
            if (n == 1) {
                Component c1 = outComponents.get(0);
                byte[] l1 = c1.lines;
                int[] x1 = xIndex[0];
                int o = 0;
                for (int y = 0; y < h; y++) {
                    int b1 = ((int) (y * scaleY[0] * 1.0)) * c1.lineWidth;
                    for (int x = 0; x < w; x++) {
                        byte s = l1[b1 + x1[x]];
                        out[o] = s;
                        out[o + 1] = s;
                        out[o + 2] = s;
                        o += 3;
                    }
                }
                return new Image(w, h, out);
            }
            if (n == 3) {
                // three components: the colour transform is always on with jpeg-js's default options
                Component c1 = outComponents.get(0);
                Component c2 = outComponents.get(1);
                Component c3 = outComponents.get(2);
                byte[] l1 = c1.lines;
                byte[] l2 = c2.lines;
                byte[] l3 = c3.lines;
                int[] x1 = xIndex[0];
                int[] x2 = xIndex[1];
                int[] x3 = xIndex[2];
                // the usual layouts, same indices as the general loop below, without the per-pixel index lookups
                boolean lumaFull = isIdentity(x1);
                boolean chromaShared = java.util.Arrays.equals(x2, x3);
                int chromaStep = !lumaFull || !chromaShared ? 0 : isIdentity(x2) ? 1 : isHalf(x2) ? 2 : 0;
                int o = 0;
                for (int y = 0; y < h; y++) {
                    int b1 = ((int) (y * scaleY[0] * 1.0)) * c1.lineWidth;
                    int b2 = ((int) (y * scaleY[1] * 1.0)) * c2.lineWidth;
                    int b3 = ((int) (y * scaleY[2] * 1.0)) * c3.lineWidth;
                    if (chromaStep == 1) {
                        for (int x = 0; x < w; x++) {
                            int yy = (l1[b1 + x] & 0xff) + CLAMP_BIAS;
                            int cb = l2[b2 + x] & 0xff;
                            int cr = l3[b3 + x] & 0xff;
                            out[o + ri] = CLAMP[yy + R_OFF[cr]];
                            out[o + 1] = CLAMP[yy + G_OFF[(cb << 8) | cr]];
                            out[o + bi] = CLAMP[yy + B_OFF[cb]];
                            o += 3;
                        }
                        continue;
                    }
                    if (chromaStep == 2) {
                        for (int x = 0; x < w; x += 2) {
                            int cb = l2[b2 + (x >> 1)] & 0xff;
                            int cr = l3[b3 + (x >> 1)] & 0xff;
                            int rOff = R_OFF[cr] + CLAMP_BIAS;
                            int gOff = G_OFF[(cb << 8) | cr] + CLAMP_BIAS;
                            int bOff = B_OFF[cb] + CLAMP_BIAS;
                            int yy = l1[b1 + x] & 0xff;
                            out[o + ri] = CLAMP[yy + rOff];
                            out[o + 1] = CLAMP[yy + gOff];
                            out[o + bi] = CLAMP[yy + bOff];
                            o += 3;
                            if (x + 1 < w) {
                                yy = l1[b1 + x + 1] & 0xff;
                                out[o + ri] = CLAMP[yy + rOff];
                                out[o + 1] = CLAMP[yy + gOff];
                                out[o + bi] = CLAMP[yy + bOff];
                                o += 3;
                            }
                        }
                        continue;
                    }
                    for (int x = 0; x < w; x++) {
                        // R = trunc(clamp(Y + 1.402 (Cr - 128))), G = trunc(clamp(Y - 0.3441363 (Cb - 128)
                        // - 0.71413636 (Cr - 128))), B = trunc(clamp(Y + 1.772 (Cb - 128))), in integers (R_OFF)
                        int yy = (l1[b1 + x1[x]] & 0xff) + CLAMP_BIAS;
                        int cb = l2[b2 + x2[x]] & 0xff;
                        int cr = l3[b3 + x3[x]] & 0xff;
                        out[o + ri] = CLAMP[yy + R_OFF[cr]];
                        out[o + 1] = CLAMP[yy + G_OFF[(cb << 8) | cr]];
                        out[o + bi] = CLAMP[yy + B_OFF[cb]];
                        o += 3;
                    }
                }
                return new Image(w, h, out);
            }
            // four components (Adobe): CMYK, or YCCK when the Adobe transform flag is set
            boolean colorTransform = adobeTransformCode != 0;
            Component c1 = outComponents.get(0);
            Component c2 = outComponents.get(1);
            Component c3 = outComponents.get(2);
            Component c4 = outComponents.get(3);
            int o = 0;
            for (int y = 0; y < h; y++) {
                int b1 = ((int) (y * scaleY[0] * 1.0)) * c1.lineWidth;
                int b2 = ((int) (y * scaleY[1] * 1.0)) * c2.lineWidth;
                int b3 = ((int) (y * scaleY[2] * 1.0)) * c3.lineWidth;
                int b4 = ((int) (y * scaleY[3] * 1.0)) * c4.lineWidth;
                for (int x = 0; x < w; x++) {
                    int s1 = c1.lines[b1 + xIndex[0][x]] & 0xff;
                    int s2 = c2.lines[b2 + xIndex[1][x]] & 0xff;
                    int s3 = c3.lines[b3 + xIndex[2][x]] & 0xff;
                    int kk = c4.lines[b4 + xIndex[3][x]] & 0xff;
                    // getData: data = 255 - C etc., stored in a Uint8Array (truncated)
                    int dc;
                    int dm;
                    int dy;
                    if (!colorTransform) {
                        dc = 255 - s1;
                        dm = 255 - s2;
                        dy = 255 - s3;
                    } else {
                        double c = 255 - clampTo8bit(s1 + CR_R[s3]);
                        double m = 255 - clampTo8bit(s1 - CB_G[s2] - CR_G[s3]);
                        double ye = 255 - clampTo8bit(s1 + CB_B[s2]);
                        dc = (int) (255 - c);
                        dm = (int) (255 - m);
                        dy = (int) (255 - ye);
                    }
                    int dk = 255 - kk;
                    // copyToImageData: R = 255 - clampTo8bit(C * (1 - K / 255) + K), stored truncated
                    double f = 1 - dk / 255.0;
                    int r = (int) (255 - clampTo8bit(dc * f + dk));
                    int g = (int) (255 - clampTo8bit(dm * f + dk));
                    int b = (int) (255 - clampTo8bit(dy * f + dk));
                    out[o + ri] = (byte) r;
                    out[o + 1] = (byte) g;
                    out[o + bi] = (byte) b;
                    o += 3;
                }
            }
            return new Image(w, h, out);
        }

        private static boolean isIdentity(int[] index) {
            for (int i = 0; i < index.length; i++) {
                if (index[i] != i) {
                    return false;
                }
            }
            return true;
        }

        private static boolean isHalf(int[] index) {
            for (int i = 0; i < index.length; i++) {
                if (index[i] != i >> 1) {
                    return false;
                }
            }
            return true;
        }

        private static double clampTo8bit(double a) {
            return a < 0 ? 0 : a > 255 ? 255 : a;
        }
    }

    // ------------------------------------------------------------------------------------------ entropy decoding

    /** jpeg-js decodeScan: one scan, all its restart intervals. */
    private static final class ScanDecoder {
        private final byte[] data;
        private final int length;
        private final Frame frame;
        private final Component[] components;
        private final int resetInterval;
        private final int spectralStart;
        private final int spectralEnd;
        private final int successivePrev;
        private final int successive;

        /**
         * Bit buffer: the low {@code bits} bits of {@code acc} are the next bits of the scan, most significant first;
         * the lowest {@code padBits} of them are zeros appended after a marker or the end of the data (jpeg-js throws
         * as soon as it needs one of those).
         */
        private long acc;
        private int bits;
        private int padBits;
        private boolean stopped;
        private int pos;

        private final boolean fused;
        private final int[] scratch;
        /** Whether the scan reached its last MCU (it may stop early at a marker). */
        boolean complete;

        private int eobrun;
        private int successiveACState;
        private int successiveACNextValue;

        ScanDecoder(byte[] data, Frame frame, Component[] components, int resetInterval, int spectralStart,
                int spectralEnd, int successivePrev, int successive, boolean fused) {
            this.fused = fused;
            this.scratch = fused ? new int[64] : null;
            this.data = data;
            this.length = data.length;
            this.frame = frame;
            this.components = components;
            this.resetInterval = resetInterval;
            this.spectralStart = spectralStart;
            this.spectralEnd = spectralEnd;
            this.successivePrev = successivePrev;
            this.successive = successive;
        }

        private int u8(int i) {
            return i >= 0 && i < length ? data[i] & 0xff : 0;
        }

        // ---------------------------------------------------------------------------------- bits

        private static final java.lang.invoke.VarHandle LONG_BE = java.lang.invoke.MethodHandles
                .byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);

        private void fill() {
            if (!stopped && pos + 8 <= length) {
                // fast path: the next 8 bytes hold no 0xFF (so no stuffing and no marker): take as many as fit
                long v = (long) LONG_BE.get(data, pos);
                long t = ~v;
                if (((t - 0x0101010101010101L) & ~t & 0x8080808080808080L) == 0) {
                    int n = (64 - bits) >> 3;
                    if (n == 8) {
                        acc = v;
                    } else {
                        acc = (acc << (n << 3)) | (v >>> (64 - (n << 3)));
                    }
                    bits += n << 3;
                    pos += n;
                    return;
                }
            }
            while (bits <= 56) {
                if (stopped) {
                    acc <<= 8;
                    bits += 8;
                    padBits += 8;
                    continue;
                }
                if (pos >= length) {
                    stopped = true;
                    continue;
                }
                int b = data[pos] & 0xff;
                if (b == 0xFF) {
                    // JS: a following byte other than 0 (undefined at the end counts as 0) is a marker
                    if (pos + 1 >= length) {
                        stopped = true; // jpeg-js reads on past the end and always fails later
                        continue;
                    }
                    if (data[pos + 1] != 0) {
                        stopped = true;
                        continue;
                    }
                    pos += 2;
                } else {
                    pos++;
                }
                acc = (acc << 8) | b;
                bits += 8;
            }
        }

        private void consumed() throws JpegDecodeException {
            if (bits < padBits) {
                throw new JpegDecodeException(Reason.MALFORMED, stoppedAtEnd()
                        ? "JPEG data ends in the middle of a scan" : "unexpected marker in the middle of a scan");
            }
        }

        private boolean stoppedAtEnd() {
            return pos >= length - 1;
        }

        private int readBit() throws JpegDecodeException {
            if (bits < 1 + padBits) {
                fill();
            }
            bits--;
            consumed();
            return (int) (acc >>> bits) & 1;
        }

        /** receive(length): the next {@code n} bits as JS computes them ({@code (n << 1) | bit} in int32). */
        private int receive(int n) throws JpegDecodeException {
            if (n <= 24) {
                if (bits < n + padBits) {
                    fill();
                }
                bits -= n;
                consumed();
                return (int) (acc >>> bits) & ((1 << n) - 1);
            }
            int v = 0;
            for (int i = 0; i < n; i++) {
                v = (v << 1) | readBit();
            }
            return v;
        }

        /** receiveAndExtend, exact in long (JS adds int32 values in doubles). */
        private long receiveAndExtend(int n) throws JpegDecodeException {
            int v = receive(n);
            if (v >= 1 << (n - 1)) {
                return v;
            }
            return (long) v + (-1 << n) + 1;
        }

        private int decodeHuffman(Huffman t) throws JpegDecodeException {
            if (t == null) {
                throw new JpegDecodeException(Reason.MALFORMED, "scan uses an undefined Huffman table");
            }
            if (bits < 16 + padBits) {
                fill();
            }
            int e = t.fast[(int) (acc >>> (bits - Huffman.FAST_BITS)) & ((1 << Huffman.FAST_BITS) - 1)];
            if (e > 0) {
                bits -= e >>> 8;
                consumed();
                return e & 0xff;
            }
            if (e == 0) {
                // JS reads bit by bit: report the marker / end of data if it comes first, as JS would
                walkInvalid(t);
            }
            bits -= Huffman.FAST_BITS;
            consumed();
            int node = -e - 1;
            while (true) {
                int c = t.children[2 * node + readBit()];
                if (c == Huffman.NONE) {
                    throw new JpegDecodeException(Reason.MALFORMED, "invalid huffman sequence");
                }
                if (c < 0) {
                    return -c - 1;
                }
                node = c;
            }
        }

        private void walkInvalid(Huffman t) throws JpegDecodeException {
            int node = 0;
            while (true) {
                int c = t.children[2 * node + readBit()];
                if (c == Huffman.NONE) {
                    throw new JpegDecodeException(Reason.MALFORMED, "invalid huffman sequence");
                }
                if (c < 0) {
                    throw new IllegalStateException("Huffman lookup table out of step with its tree");
                }
                node = c;
            }
        }

        // ---------------------------------------------------------------------------------- block decoders

        /** @return whether an AC coefficient was written (false: the block holds its DC only) */
        private boolean decodeBaseline(Component component, int[] zz, int zo) throws JpegDecodeException {
            int t = decodeHuffman(component.huffmanTableDC);
            long diff = t == 0 ? 0 : receiveAndExtend(t);
            component.pred += diff;
            zz[zo] = (int) component.pred;
            Huffman ac = component.huffmanTableAC;
            boolean acWritten = false;
            int k = 1;
            while (k < 64) {
                int rs = decodeHuffman(ac);
                int s = rs & 15;
                int r = rs >> 4;
                if (s == 0) {
                    if (r < 15) {
                        break;
                    }
                    k += 16;
                    continue;
                }
                k += r;
                int v = (int) receiveAndExtend(s);
                if (k < 64) { // JS: zz[undefined] = v writes nothing
                    zz[zo + ZIGZAG[k]] = v;
                    acWritten = true;
                }
                k++;
            }
            return acWritten;
        }

        private void decodeDCFirst(Component component, int[] zz, int zo) throws JpegDecodeException {
            int t = decodeHuffman(component.huffmanTableDC);
            long diff = t == 0 ? 0 : (((int) receiveAndExtend(t)) << successive);
            component.pred += diff;
            zz[zo] = (int) component.pred;
        }

        private void decodeDCSuccessive(Component component, int[] zz, int zo) throws JpegDecodeException {
            zz[zo] |= readBit() << successive;
        }

        private void decodeACFirst(Component component, int[] zz, int zo) throws JpegDecodeException {
            if (eobrun > 0) {
                eobrun--;
                return;
            }
            int k = spectralStart;
            int e = spectralEnd;
            while (k <= e) {
                int rs = decodeHuffman(component.huffmanTableAC);
                int s = rs & 15;
                int r = rs >> 4;
                if (s == 0) {
                    if (r < 15) {
                        eobrun = receive(r) + (1 << r) - 1;
                        break;
                    }
                    k += 16;
                    continue;
                }
                k += r;
                int v = (int) ((long) (int) receiveAndExtend(s) * (1L << successive));
                if (k < 64) {
                    zz[zo + ZIGZAG[k]] = v;
                }
                k++;
            }
        }

        private void decodeACSuccessive(Component component, int[] zz, int zo) throws JpegDecodeException {
            int k = spectralStart;
            int e = spectralEnd;
            int r = 0;
            while (k <= e) {
                if (successiveACState == 4) {
                    // eob: nothing changes the state for the rest of the block; only nonzero coefficients read a bit
                    for (; k <= e && k < 64; k++) {
                        int z = zo + ZIGZAG[k];
                        int cur = zz[z];
                        if (cur != 0) {
                            zz[z] = cur + (readBit() << successive) * (cur < 0 ? -1 : 1);
                        }
                    }
                    break;
                }
                // JS: z = dctZigZag[k] is undefined past 63; zz[undefined] reads undefined (falsy), writes nothing
                int z = k < 64 ? zo + ZIGZAG[k] : -1;
                int cur = z >= 0 ? zz[z] : 0;
                int direction = cur < 0 ? -1 : 1;
                switch (successiveACState) {
                    case 0: { // initial state
                        int rs = decodeHuffman(component.huffmanTableAC);
                        int s = rs & 15;
                        r = rs >> 4;
                        if (s == 0) {
                            if (r < 15) {
                                eobrun = receive(r) + (1 << r);
                                successiveACState = 4;
                            } else {
                                r = 16;
                                successiveACState = 1;
                            }
                        } else {
                            if (s != 1) {
                                throw new JpegDecodeException(Reason.MALFORMED, "invalid ACn encoding");
                            }
                            successiveACNextValue = (int) receiveAndExtend(s);
                            successiveACState = r != 0 ? 2 : 3;
                        }
                        continue;
                    }
                    case 1: // skipping r zero items
                    case 2:
                        if (cur != 0) {
                            zz[z] += (readBit() << successive) * direction;
                        } else {
                            r--;
                            if (r == 0) {
                                successiveACState = successiveACState == 2 ? 3 : 0;
                            }
                        }
                        break;
                    case 3: // set value for a zero item
                        if (cur != 0) {
                            zz[z] += (readBit() << successive) * direction;
                        } else {
                            if (z >= 0) {
                                zz[z] = successiveACNextValue << successive;
                            }
                            successiveACState = 0;
                        }
                        break;
                    case 4: // eob
                        if (cur != 0) {
                            zz[z] += (readBit() << successive) * direction;
                        }
                        break;
                    default:
                        break;
                }
                k++;
            }
            if (successiveACState == 4) {
                eobrun--;
                if (eobrun == 0) {
                    successiveACState = 0;
                }
            }
        }

        private static final int BASELINE = 0;
        private static final int DC_FIRST = 1;
        private static final int DC_SUCCESSIVE = 2;
        private static final int AC_FIRST = 3;
        private static final int AC_SUCCESSIVE = 4;

        private void decodeBlock(int mode, Component component, int[] zz, int zo) throws JpegDecodeException {
            switch (mode) {
                case BASELINE -> {
                    boolean unused = decodeBaseline(component, zz, zo);
                }
                case DC_FIRST -> decodeDCFirst(component, zz, zo);
                case DC_SUCCESSIVE -> decodeDCSuccessive(component, zz, zo);
                case AC_FIRST -> decodeACFirst(component, zz, zo);
                default -> decodeACSuccessive(component, zz, zo);
            }
        }

        /** Single pass: decode one baseline block and, when it is inside the image, put it through the IDCT at once. */
        private void decodeFused(Component c, int blockRow, int blockCol) throws JpegDecodeException {
            int[] zz = scratch;
            boolean ac = decodeBaseline(c, zz, 0);
            if (blockRow < c.blocksPerColumn && blockCol < c.blocksPerLine) {
                int out = (blockRow << 3) * c.lineWidth + (blockCol << 3);
                if (ac) {
                    Parser.quantizeAndInverse(zz, 0, c.quantizationTable, p, c.lines, out, c.lineWidth);
                } else {
                    Parser.fillConstant(zz[0] * c.quantizationTable[0], c.lines, out, c.lineWidth);
                }
            }
            if (ac) {
                java.util.Arrays.fill(zz, 0);
            } else {
                zz[0] = 0;
            }
        }

        private final int[] p = new int[64];

        /** @return the number of bytes consumed from {@code startOffset} (to the marker after the scan) */
        int decode(int startOffset) throws JpegDecodeException {
            int offset = startOffset;
            int mcusPerLine = frame.mcusPerLine;
            int mode;
            if (frame.progressive) {
                if (spectralStart == 0) {
                    mode = successivePrev == 0 ? DC_FIRST : DC_SUCCESSIVE;
                } else {
                    mode = successivePrev == 0 ? AC_FIRST : AC_SUCCESSIVE;
                }
            } else {
                mode = BASELINE;
            }
            int componentsLength = components.length;
            int mcu = 0;
            int mcuExpected;
            if (componentsLength == 1) {
                mcuExpected = components[0].blocksPerLine * components[0].blocksPerColumn;
            } else {
                mcuExpected = mcusPerLine * frame.mcusPerColumn;
            }
            int interval = resetInterval != 0 ? resetInterval : mcuExpected;

            while (mcu < mcuExpected) {
                // reset interval stuff
                for (Component c : components) {
                    c.pred = 0;
                }
                eobrun = 0;
                acc = 0;
                bits = 0;
                padBits = 0;
                stopped = false;
                pos = offset;

                if (componentsLength == 1) {
                    Component component = components[0];
                    int bpl = component.blocksPerLine;
                    int rowsAllocated = component.blocksPerColumnForMcu;
                    int stride = component.blocksPerLineForMcu;
                    for (int n = 0; n < interval; n++) {
                        int blockRow = mcu / bpl;
                        int blockCol = mcu % bpl;
                        if (blockRow < rowsAllocated) { // tolerantDecoding: a missing block row is skipped
                            if (fused) {
                                decodeFused(component, blockRow, blockCol);
                            } else {
                                decodeBlock(mode, component, component.blocks, (blockRow * stride + blockCol) << 6);
                            }
                        }
                        mcu++;
                    }
                } else {
                    for (int n = 0; n < interval; n++) {
                        int mcuRow = mcu / mcusPerLine;
                        int mcuCol = mcu % mcusPerLine;
                        for (int i = 0; i < componentsLength; i++) {
                            Component component = components[i];
                            int h = component.h;
                            int v = component.v;
                            int stride = component.blocksPerLineForMcu;
                            for (int j = 0; j < v; j++) {
                                int blockRow = mcuRow * v + j;
                                for (int k = 0; k < h; k++) {
                                    int blockCol = mcuCol * h + k;
                                    if (blockRow < component.blocksPerColumnForMcu) {
                                        if (blockCol >= stride) {
                                            // JS: blocks[row][col] is undefined and decoding into it throws
                                            throw new JpegDecodeException(Reason.MALFORMED, "block out of range");
                                        }
                                        if (fused) {
                                            decodeFused(component, blockRow, blockCol);
                                        } else {
                                            decodeBlock(mode, component, component.blocks,
                                                    (blockRow * stride + blockCol) << 6);
                                        }
                                    }
                                }
                            }
                        }
                        mcu++;
                        if (mcu == mcuExpected) {
                            break;
                        }
                    }
                }

                // where jpeg-js's byte offset is: after the last byte it loaded (bitsCount is then reset to 0)
                offset = jsOffset();

                if (mcu == mcuExpected) {
                    // skip trailing bytes at the end of the scan - until we reach the next marker
                    do {
                        if (u8(offset) == 0xFF && offset < length) {
                            if (offset + 1 >= length || data[offset + 1] != 0) {
                                break;
                            }
                        }
                        offset += 1;
                    } while (offset < length - 2);
                }

                // find marker
                int marker = (u8(offset) << 8) | u8(offset + 1);
                if (marker < 0xFF00) {
                    throw new JpegDecodeException(Reason.MALFORMED, "marker was not found");
                }
                if (marker >= 0xFFD0 && marker <= 0xFFD7) { // RSTx
                    offset += 2;
                } else {
                    break;
                }
            }
            complete = mcu >= mcuExpected;
            return offset - startOffset;
        }

        /**
         * jpeg-js loads one byte at a time when it needs a bit, so after a restart interval its offset is just past the
         * byte holding the last bit it consumed (past its stuffed zero for 0xFF). Our buffer may hold whole bytes
         * beyond that: step back over them.
         */
        private int jsOffset() {
            int unread = (bits - padBits) >> 3;
            int p = pos;
            for (int i = 0; i < unread; i++) {
                if (p >= 2 && data[p - 1] == 0 && data[p - 2] == (byte) 0xFF) {
                    p -= 2;
                } else {
                    p -= 1;
                }
            }
            return p;
        }
    }
}
