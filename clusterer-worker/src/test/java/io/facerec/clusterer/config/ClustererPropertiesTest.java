package io.facerec.clusterer.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.facerec.clusterer.cluster.PersonClustering;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class ClustererPropertiesTest {

    static ClustererProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values))
                .bindOrCreate("facerec.clusterer", ClustererProperties.class);
    }

    @Test
    void umapDbscanUsesItsOwnRadiusAndTheOthersTheModelsCosineRadius() {
        var t = ClustererProperties.FR_FEATURE;
        ClustererProperties defaults = bind(Map.of());
        assertThat(defaults.algorithm()).isEqualTo(PersonClustering.Algorithm.AVERAGE_LINKAGE);
        assertThat(defaults.umapEps()).isEqualTo(0.20);
        assertThat(defaults.eps(t, false)).isEqualTo(t.eps());
        assertThat(defaults.eps(t, true)).isEqualTo(t.batchEps());

        ClustererProperties umap = bind(Map.of("facerec.clusterer.algorithm", "UMAP_DBSCAN"));
        assertThat(umap.eps(t, false)).isEqualTo(ClustererProperties.UMAP_EPS);
        assertThat(umap.eps(t, true)).isEqualTo(ClustererProperties.UMAP_EPS);
        assertThat(bind(Map.of("facerec.clusterer.algorithm", "UMAP_DBSCAN", "facerec.clusterer.umap-eps", "0.3"))
                        .eps(t, true))
                .isEqualTo(0.3);
    }

    @Test
    void perModelThresholdsBindFromConfiguration() {
        ClustererProperties p = bind(Map.of(
                "facerec.clusterer.models.facenet512.match-threshold",
                "0.7",
                "facerec.clusterer.models.facenet512.eps",
                "0.3",
                "facerec.clusterer.models.facenet512.min-samples",
                "3"));
        var t = p.thresholds("facenet512");
        assertThat(t.matchThreshold()).isEqualTo(0.7);
        assertThat(t.eps()).isEqualTo(0.3);
        assertThat(t.minSamples()).isEqualTo(3);
        assertThat(t.batchEps()).as("recluster-eps unset: same as eps").isEqualTo(0.3);
        assertThat(p.thresholds("fr_feature")).isEqualTo(ClustererProperties.FR_FEATURE);
    }
}
