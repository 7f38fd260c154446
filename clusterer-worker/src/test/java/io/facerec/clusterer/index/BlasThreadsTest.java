package io.facerec.clusterer.index;

import static org.assertj.core.api.Assertions.assertThat;

import org.bytedeco.openblas.global.openblas;
import org.junit.jupiter.api.Test;

class BlasThreadsTest {
    @Test
    void oneThreadInsideTheScopeAndTheCountRestoredAfter() {
        int before = openblas.blas_get_num_threads();
        try (BlasThreads single = BlasThreads.single()) {
            assertThat(openblas.blas_get_num_threads()).isEqualTo(1);
            try (BlasThreads all = BlasThreads.all()) {
                assertThat(openblas.blas_get_num_threads()).isEqualTo(before);
            }
            assertThat(openblas.blas_get_num_threads()).isEqualTo(1);
        }
        assertThat(openblas.blas_get_num_threads()).isEqualTo(before);
    }
}
