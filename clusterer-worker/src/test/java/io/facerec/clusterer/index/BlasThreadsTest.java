package io.facerec.clusterer.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.cblas_sgemm;

import org.junit.jupiter.api.Test;

class BlasThreadsTest {

    @Test
    void setsTheProcessCountAndZeroRestoresOpenBlasOwn() {
        int own = BlasThreads.current();
        assertThat(own).isEqualTo(BlasThreads.own()).isPositive();
        try {
            assertThat(BlasThreads.use(1)).isEqualTo(1);
            assertThat(BlasThreads.current()).isEqualTo(1);
            float[] a = {1, 2, 3, 4};
            float[] c = new float[4]; // OpenBLAS still computes on one thread: a 2x2 product
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 2, 1f, a, 2, a, 2, 0f, c, 2);
            assertThat(c).containsExactly(7f, 10f, 15f, 22f);
            assertThat(BlasThreads.use(0)).isEqualTo(own);
            assertThat(BlasThreads.current()).isEqualTo(own);
            assertThatThrownBy(() -> BlasThreads.use(-1)).isInstanceOf(IllegalArgumentException.class);
        } finally {
            BlasThreads.use(0);
        }
    }
}
