package io.facerec.clusterer.index;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * An inverted-file index in memory: the embeddings are partitioned into cells by spherical k-means (about {@code 4·√n}
 * cells of about {@code √n/4} faces), each cell one contiguous float array; a lookup scores every centroid (OpenBLAS
 * {@code sgemv}), then every face of its {@code probes} most similar cells. At a million 512-d faces that is one
 * 4,000 x 512 product and ~4,000 dot products, a couple of milliseconds on one core, where a Lucene HNSW graph on Java 17 needed several times more
 * (see README, "Results"). Approximate: a face whose cell is not probed is missed; recall is measured by
 * {@code AssignmentBench}.
 *
 * <p>Faces added after training go to their most similar centroid; the cells are retrained from all faces when the
 * index has doubled since (and at the first bulk load), which keeps the cells balanced. In memory only: its
 * owner rebuilds it from the database at start (a million faces: reading them takes longer than training, well under a
 * minute). One writer; searches from the writer's thread.
 */
public final class IvfFaceIndex implements FaceIndex {
    /** Below this many faces one cell holds everything (an exact scan). */
    static final int MIN_CELLS_AT = 2_000;
    /** Faces per centroid used to train the cells (a sample, for speed). */
    static final int TRAIN_PER_CELL = 64;
    static final int TRAIN_ROUNDS = 4;
    /**
     * Cells per square root of the size: the centroids are scored by OpenBLAS (cheap), the probed cells' faces one by
     * one in Java, so more and smaller cells than the usual {@code √n}.
     */
    static final double CELLS_PER_ROOT = 4;

    private int probes;
    private int dim = -1;
    private float[] centroids = new float[0];
    /** The centroids in native memory, for OpenBLAS ({@code sgemv} per lookup). */
    private org.bytedeco.javacpp.FloatPointer centroidsNative;
    /** Reused native buffers of a lookup (lookups come from the writer's thread only). */
    private org.bytedeco.javacpp.FloatPointer queryNative;
    private org.bytedeco.javacpp.FloatPointer simsNative;
    private Cell[] cells = new Cell[0];
    /** Face id to its cell (high 32 bits) and slot. */
    private final Map<Long, Long> where = new HashMap<>();
    private int trainedAt;
    private String fingerprint;
    private boolean dirty;

    /** @param probes cells searched per lookup (most similar centroids first) */
    public IvfFaceIndex(int probes) {
        if (probes < 1) {
            throw new IllegalArgumentException("probes must be >= 1");
        }
        this.probes = probes;
    }

    /** Changes the cells searched per lookup. */
    public void setProbes(int probes) {
        if (probes < 1) {
            throw new IllegalArgumentException("probes must be >= 1");
        }
        this.probes = probes;
    }

    /** The default: {@link #DEFAULT_PROBES} probed cells. */
    public IvfFaceIndex() {
        this(DEFAULT_PROBES);
    }

    /** Probed cells by default (nearest-person recall measured by AssignmentBench, see README). */
    public static final int DEFAULT_PROBES = 16;

    /** Rows per vector block: blocks stay small (64 KB at 512-d), so the GC never treats them as humongous. */
    static final int BLOCK_ROWS = 32;

    /** One cell: its vectors in fixed-size blocks of rows, and each row's face and person. */
    private static final class Cell {
        float[][] blocks = new float[0][];
        long[] face = new long[0];
        long[] person = new long[0];
        int n;

        int add(long f, long p, float[] e, int d) {
            if (n == face.length) {
                int cap = Math.max(BLOCK_ROWS, n + (n >> 1));
                face = Arrays.copyOf(face, cap);
                person = Arrays.copyOf(person, cap);
            }
            int b = n / BLOCK_ROWS;
            if (b == blocks.length) {
                blocks = Arrays.copyOf(blocks, b + 1);
                blocks[b] = new float[BLOCK_ROWS * d];
            }
            System.arraycopy(e, 0, blocks[b], (n % BLOCK_ROWS) * d, d);
            face[n] = f;
            person[n] = p;
            return n++;
        }

        /** Copies row {@code s} into {@code out} at row {@code at}. */
        void copyRow(int s, float[] out, int at, int d) {
            System.arraycopy(blocks[s / BLOCK_ROWS], (s % BLOCK_ROWS) * d, out, at * d, d);
        }

        /** Removes the slot by moving the last face into it; returns the moved face id, or -1. */
        long removeAt(int slot, int d) {
            int last = n - 1;
            long moved = -1;
            if (slot != last) {
                System.arraycopy(blocks[last / BLOCK_ROWS], (last % BLOCK_ROWS) * d, blocks[slot / BLOCK_ROWS],
                        (slot % BLOCK_ROWS) * d, d);
                face[slot] = face[last];
                person[slot] = person[last];
                moved = face[slot];
            }
            n--;
            if (n % BLOCK_ROWS == 0 && n / BLOCK_ROWS < blocks.length) {
                blocks = Arrays.copyOf(blocks, n / BLOCK_ROWS); // drop the emptied block
            }
            return moved;
        }

        /** All rows, contiguous. */
        float[] rows(int d) {
            float[] out = new float[n * d];
            for (int s = 0; s < n; s += BLOCK_ROWS) {
                System.arraycopy(blocks[s / BLOCK_ROWS], 0, out, s * d, Math.min(BLOCK_ROWS, n - s) * d);
            }
            return out;
        }
    }

    private static long pack(int cell, int slot) {
        return ((long) cell << 32) | (slot & 0xffffffffL);
    }

    private void checkDim(float[] e) {
        if (dim < 0) {
            dim = e.length;
        } else if (e.length != dim) {
            throw new IllegalArgumentException("embedding of " + e.length + " values in an index of " + dim);
        }
    }

    @Override
    public void upsert(long faceId, long personId, float[] embedding) {
        upsertAll(List.of(new Entry(faceId, personId, embedding)), 1);
    }

    /** {@inheritDoc} The cells are chosen by one OpenBLAS product, which has its own threads: {@code threads} is unused. */
    @Override
    public void upsertAll(List<Entry> entries, int threads) {
        if (entries.isEmpty()) {
            return;
        }
        for (Entry e : entries) {
            checkDim(e.embedding());
            remove(e.faceId());
        }
        dirty = true;
        int after = size() + entries.size();
        if (cells.length == 0 || (after >= MIN_CELLS_AT && after >= 2L * Math.max(trainedAt, MIN_CELLS_AT / 2))) {
            retrain(entries);
            return;
        }
        int[] target = nearestCentroids(entries);
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            int slot = cells[target[i]].add(e.faceId(), e.personId(), e.embedding(), dim);
            where.put(e.faceId(), pack(target[i], slot));
        }
    }

    /**
     * Trains new cells on a sample of every face (those indexed and the new ones) and moves the faces over, one old
     * cell at a time, so the peak memory is about one copy of the vectors, not two.
     */
    private void retrain(List<Entry> added) {
        int n = size() + added.size();
        int c = n < MIN_CELLS_AT ? 1 : (int) Math.round(CELLS_PER_ROOT * Math.sqrt(n));
        if (c > 1) {
            // a uniform sample of about TRAIN_PER_CELL faces per cell
            int sample = Math.min(n, c * TRAIN_PER_CELL);
            java.util.Random rnd = new java.util.Random(n);
            float[] train = new float[sample * dim];
            int taken = 0;
            int seen = 0;
            for (Cell old : cells) {
                for (int s = 0; s < old.n && taken < sample; s++, seen++) {
                    if (rnd.nextDouble() * (n - seen) < sample - taken) {
                        old.copyRow(s, train, taken++, dim);
                    }
                }
            }
            for (int i = 0; i < added.size() && taken < sample; i++, seen++) {
                if (rnd.nextDouble() * (n - seen) < sample - taken) {
                    System.arraycopy(added.get(i).embedding(), 0, train, taken++ * dim, dim);
                }
            }
            centroids = SphericalKMeans.train(train, taken, dim, c, TRAIN_ROUNDS, n);
            setNativeCentroids();
        } else {
            centroids = new float[dim]; // unused: one cell
        }
        Cell[] old = cells;
        cells = new Cell[c];
        for (int k = 0; k < c; k++) {
            cells[k] = new Cell();
        }
        where.clear();
        float[] row = new float[dim];
        for (int o = 0; o < old.length; o++) {
            Cell from = old[o];
            old[o] = null; // released as soon as its faces have moved
            int[][] top = c == 1 ? null : SphericalKMeans.topCells(from.rows(dim), from.n, dim, centroids, c, 1);
            for (int s = 0; s < from.n; s++) {
                from.copyRow(s, row, 0, dim);
                int to = top == null ? 0 : top[s][0];
                where.put(from.face[s], pack(to, cells[to].add(from.face[s], from.person[s], row, dim)));
            }
        }
        int[] target = c == 1 ? new int[added.size()] : nearestCentroids(added);
        for (int i = 0; i < added.size(); i++) {
            Entry e = added.get(i);
            where.put(e.faceId(), pack(target[i], cells[target[i]].add(e.faceId(), e.personId(), e.embedding(), dim)));
        }
        trainedAt = n;
    }

    private int[] nearestCentroids(List<Entry> entries) {
        int[] out = new int[entries.size()];
        if (cells.length == 1) {
            return out;
        }
        if (entries.size() == 1) {
            out[0] = bestCentroids(entries.get(0).embedding(), 1)[0];
            return out;
        }
        float[] data = new float[entries.size() * dim];
        for (int i = 0; i < out.length; i++) {
            System.arraycopy(entries.get(i).embedding(), 0, data, i * dim, dim);
        }
        int[][] top = SphericalKMeans.topCells(data, out.length, dim, centroids, cells.length, 1);
        for (int i = 0; i < out.length; i++) {
            out[i] = top[i][0];
        }
        return out;
    }

    private void setNativeCentroids() {
        if (centroidsNative != null) {
            centroidsNative.close();
        }
        centroidsNative = new org.bytedeco.javacpp.FloatPointer(centroids);
    }

    /** Dot product of the query with row {@code row} of {@code m} (eight accumulators: what C2 runs fastest). */
    static float dot(float[] q, float[] m, int row, int d) {
        int off = row * d;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = 0;
        for (; i + 7 < d; i += 8) {
            s0 += q[i] * m[off + i];
            s1 += q[i + 1] * m[off + i + 1];
            s2 += q[i + 2] * m[off + i + 2];
            s3 += q[i + 3] * m[off + i + 3];
            s4 += q[i + 4] * m[off + i + 4];
            s5 += q[i + 5] * m[off + i + 5];
            s6 += q[i + 6] * m[off + i + 6];
            s7 += q[i + 7] * m[off + i + 7];
        }
        for (; i < d; i++) {
            s0 += q[i] * m[off + i];
        }
        return (s0 + s1) + (s2 + s3) + (s4 + s5) + (s6 + s7);
    }

    /** The {@code p} most similar cells, best first. */
    private int[] bestCentroids(float[] q, int p) {
        int c = cells.length;
        p = Math.min(p, c);
        if (c == 1) {
            return new int[] {0};
        }
        float[] sims = new float[c];
        if (queryNative == null || queryNative.capacity() < dim) {
            queryNative = new org.bytedeco.javacpp.FloatPointer(dim);
        }
        if (simsNative == null || simsNative.capacity() < c) {
            simsNative = new org.bytedeco.javacpp.FloatPointer(c);
        }
        queryNative.put(q, 0, dim);
        org.bytedeco.openblas.global.openblas.cblas_sgemv(org.bytedeco.openblas.global.openblas.CblasRowMajor,
                org.bytedeco.openblas.global.openblas.CblasNoTrans, c, dim, 1f, centroidsNative, dim, queryNative, 1,
                0f, simsNative, 1);
        simsNative.get(sims, 0, c);
        return SphericalKMeans.best(sims, 0, c, p);
    }

    @Override
    public List<Hit> nearest(float[] query, int k) {
        if (size() == 0) {
            return List.of();
        }
        checkDim(query);
        int[] probed = bestCentroids(query, probes);
        int threads = Math.min(SCAN_THREADS, Math.max(1, probed.length / 8));
        if (threads == 1) {
            return scan(query, probed, 0, probed.length, k).hits();
        }
        // the probed cells split over the search threads (per-lookup latency), each part's best k merged
        List<Future<TopK>> parts = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            int from = probed.length * t / threads;
            int to = probed.length * (t + 1) / threads;
            parts.add(SCAN_POOL.submit(() -> scan(query, probed, from, to, k)));
        }
        TopK all = new TopK(k);
        try {
            for (Future<TopK> f : parts) {
                TopK part = f.get();
                for (int j = 0; j < part.size; j++) {
                    all.offer(part.sim[j], part.face[j], part.person[j]);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while searching the face index", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("face index search failed", e.getCause());
        }
        return all.hits();
    }

    /** Threads one lookup may use to scan its cells. */
    static final int SCAN_THREADS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    private static final ExecutorService SCAN_POOL = Executors.newFixedThreadPool(SCAN_THREADS, r -> {
        Thread t = new Thread(r, "face-index-scan");
        t.setDaemon(true);
        return t;
    });

    /** The best k, kept sorted by insertion into small arrays (k is 16). */
    private static final class TopK {
        final float[] sim;
        final long[] face;
        final long[] person;
        int size;

        TopK(int k) {
            sim = new float[k];
            face = new long[k];
            person = new long[k];
        }

        void offer(float s, long f, long p) {
            int k = sim.length;
            if (size == k && s <= sim[k - 1]) {
                return;
            }
            int j = size < k ? size++ : k - 1;
            while (j > 0 && sim[j - 1] < s) {
                sim[j] = sim[j - 1];
                face[j] = face[j - 1];
                person[j] = person[j - 1];
                j--;
            }
            sim[j] = s;
            face[j] = f;
            person[j] = p;
        }

        List<Hit> hits() {
            List<Hit> out = new ArrayList<>(size);
            for (int j = 0; j < size; j++) {
                out.add(new Hit(face[j], person[j], sim[j]));
            }
            return out;
        }
    }

    private TopK scan(float[] query, int[] probed, int from, int to, int k) {
        TopK top = new TopK(k);
        for (int i = from; i < to; i++) {
            Cell c = cells[probed[i]];
            for (int s = 0; s < c.n; s++) {
                float sim = dot(query, c.blocks[s / BLOCK_ROWS], s % BLOCK_ROWS, dim);
                if (top.size < k || sim > top.sim[k - 1]) {
                    top.offer(sim, c.face[s], c.person[s]);
                }
            }
        }
        return top;
    }

    @Override
    public void remove(long faceId) {
        Long at = where.remove(faceId);
        if (at == null) {
            return;
        }
        int cell = (int) (at >>> 32);
        int slot = (int) (long) at;
        long moved = cells[cell].removeAt(slot, dim);
        if (moved >= 0) {
            where.put(moved, pack(cell, slot));
        }
        dirty = true;
    }

    @Override
    public void clear() {
        cells = new Cell[0];
        centroids = new float[0];
        if (centroidsNative != null) {
            centroidsNative.close();
            centroidsNative = null;
        }
        where.clear();
        trainedAt = 0;
        dirty = true;
    }

    @Override
    public void commit(String fingerprint) {
        this.fingerprint = fingerprint;
        dirty = false;
    }

    @Override
    public String fingerprint() {
        return fingerprint;
    }

    @Override
    public boolean hasUncommittedChanges() {
        return dirty;
    }

    @Override
    public Map<Long, Long> assignments() {
        Map<Long, Long> out = new HashMap<>(where.size() * 2);
        for (Cell c : cells) {
            for (int s = 0; s < c.n; s++) {
                out.put(c.face[s], c.person[s]);
            }
        }
        return out;
    }

    @Override
    public int size() {
        return where.size();
    }

    /** Cells (1 below {@link #MIN_CELLS_AT} faces). */
    public int cells() {
        return cells.length;
    }

    @Override
    public void close() {
        clear();
    }
}
