package io.facerec.common.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EmbeddingCodecTest {

    @Test
    void writesFloat32LittleEndianAsNumpyFrombufferReadsIt() {
        byte[] b = EmbeddingCodec.toBytes(new float[] {1.0f, -2.5f});
        // 1.0f = 0x3F800000, -2.5f = 0xC0200000, least significant byte first
        assertThat(b).containsExactly(0x00, 0x00, (byte) 0x80, 0x3F, 0x00, 0x00, 0x20, (byte) 0xC0);
    }

    @Test
    void roundTrips512Floats() {
        float[] v = new float[512];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i);
        }
        byte[] b = EmbeddingCodec.toBytes(v);
        assertThat(b).hasSize(2048);
        assertThat(EmbeddingCodec.fromBytes(b)).containsExactly(v);
        assertThat(EmbeddingCodec.parse(b)).containsExactly(v);
    }

    @Test
    void parsesTheOriginsJsonTextEmbeddings() {
        assertThat(EmbeddingCodec.parse("[0.5, -0.25, 1e-3]".getBytes(StandardCharsets.UTF_8)))
                .containsExactly(0.5f, -0.25f, 0.001f);
        // an NVARCHAR value cast to VARBINARY (SQL Server) is UTF-16LE
        assertThat(EmbeddingCodec.parse("[0.5, -0.25]".getBytes(StandardCharsets.UTF_16LE)))
                .containsExactly(0.5f, -0.25f);
        // float32 bytes that happen to start like text are still floats
        float odd = Float.intBitsToFloat(0x3F80005B); // little-endian bytes 5B 00 80 3F: '[' then 0
        assertThat(EmbeddingCodec.parse(EmbeddingCodec.toBytes(new float[] {odd})))
                .containsExactly(odd);
    }

    @Test
    void refusesATruncatedByteArray() {
        assertThatThrownBy(() -> EmbeddingCodec.fromBytes(new byte[7])).isInstanceOf(IllegalArgumentException.class);
    }
}
