package io.facerec.common.persistence;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * {@code Faces.Embedding} layout: float32 little-endian, one after the other, what numpy's
 * {@code np.frombuffer(b, dtype='<f4')} reads (the origin stored embeddings this way).
 */
public final class EmbeddingCodec {
    private EmbeddingCodec() {}

    public static byte[] toBytes(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    public static float[] fromBytes(byte[] bytes) {
        if (bytes.length % Float.BYTES != 0) {
            throw new IllegalArgumentException("embedding byte length " + bytes.length + " is not a multiple of 4");
        }
        float[] v = new float[bytes.length / Float.BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    /**
     * Reads an embedding as the origin could have stored it: raw float32 bytes, or a JSON array of numbers as text
     * (the origin also accepted those), in UTF-8 or, as an {@code NVARCHAR} cast to bytes gives it, UTF-16LE.
     */
    public static float[] parse(byte[] stored) {
        String s = jsonText(stored);
        if (s == null) {
            return fromBytes(stored);
        }
        String[] parts = s.substring(1, s.length() - 1).split(",");
        float[] v = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            v[i] = Float.parseFloat(parts[i].trim());
        }
        return v;
    }

    /** The text of a JSON array stored as bytes, or null when the bytes are not one. */
    private static String jsonText(byte[] b) {
        if (b.length == 0 || (b[0] != '[' && b[0] != ' ')) {
            return null;
        }
        Charset cs = b.length > 1 && b[1] == 0 ? StandardCharsets.UTF_16LE : StandardCharsets.UTF_8;
        String s = new String(b, cs).trim();
        return s.startsWith("[") && s.endsWith("]") ? s : null;
    }
}
