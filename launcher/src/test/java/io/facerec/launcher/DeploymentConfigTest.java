package io.facerec.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.facerec.detector.capture.CaptureProperties;
import io.facerec.detector.capture.DebeziumConfig;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment files, checked as far as possible without a container engine: docker-compose.yml parses and has the
 * services, replica counts and single capture instance it promises, its SQL Server settings produce a valid Debezium
 * SQL Server connector configuration, every file it mounts from the repository exists, and the Grafana dashboard asks
 * for metrics the code emits.
 */
class DeploymentConfigTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @SuppressWarnings("unchecked")
    static Map<String, Object> compose() throws Exception {
        try (Reader r = Files.newBufferedReader(ROOT.resolve("docker-compose.yml"))) {
            return (Map<String, Object>) new Yaml().load(r);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> service(Map<String, Object> compose, String name) {
        return (Map<String, Object>) ((Map<String, Object>) compose.get("services")).get(name);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> env(Map<String, Object> service) {
        return (Map<String, Object>) service.get("environment");
    }

    @Test
    @SuppressWarnings("unchecked")
    void composeHasTheServicesAndExactlyOneCaptureAndOneClusterer() throws Exception {
        Map<String, Object> c = compose();
        assertThat(((Map<String, Object>) c.get("services")).keySet()).contains("kafka", "sqlserver", "sqlserver-init",
                "capture", "detector", "embedder", "clusterer", "gallery", "prometheus", "grafana");
        for (String s : List.of("detector", "embedder", "clusterer", "gallery")) {
            assertThat(env(service(c, s)).get("FACEREC_CAPTURE_ENABLED")).as(s).isEqualTo("false");
        }
        assertThat(env(service(c, "capture")).get("FACEREC_CAPTURE_ENABLED")).isEqualTo("true");
        assertThat(((Map<String, Object>) service(c, "clusterer").get("deploy")).get("replicas")).isEqualTo(1);
        assertThat((Integer) ((Map<String, Object>) service(c, "detector").get("deploy")).get("replicas")).isGreaterThanOrEqualTo(2);
        assertThat(env(service(c, "sqlserver")).get("MSSQL_AGENT_ENABLED")).as("CDC needs SQL Server Agent").isEqualTo("true");
    }

    @Test
    void itsSqlServerSettingsMakeAValidDebeziumSqlServerConfiguration() throws Exception {
        Map<String, Object> e = env(service(compose(), "capture"));
        CaptureProperties props = new CaptureProperties(true, CaptureProperties.StartFrom.PENDING_ROWS,
                Path.of((String) e.get("FACEREC_CAPTURE_OFFSETFILE")), Path.of((String) e.get("FACEREC_CAPTURE_SCHEMAHISTORYFILE")),
                "facerec_media_items", "facerec_media_items", "facerec", false);
        Properties p = DebeziumConfig.build(props, (String) e.get("SPRING_DATASOURCE_URL"),
                (String) e.get("SPRING_DATASOURCE_USERNAME"), "secret");
        assertThat(p.getProperty("connector.class")).isEqualTo("io.debezium.connector.sqlserver.SqlServerConnector");
        assertThat(p.getProperty("database.hostname")).isEqualTo("sqlserver");
        assertThat(p.getProperty("database.names")).isEqualTo("Media");
        assertThat(p.getProperty("table.include.list")).isEqualTo("dbo.MediaItems");
        // the connector class is on the classpath and accepts the configuration keys we give it
        Class<?> connector = Class.forName(p.getProperty("connector.class"));
        var config = ((org.apache.kafka.connect.connector.Connector) connector.getDeclaredConstructor().newInstance()).config();
        assertThat(config.configKeys()).containsKeys("database.hostname", "database.names", "table.include.list");
        String cdc = Files.readString(ROOT.resolve("deploy/sqlserver/enable-cdc.sql"));
        assertThat(cdc).contains("sys.sp_cdc_enable_db").contains("@source_name   = N'MediaItems'");
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyFileItMountsFromTheRepositoryExists() throws Exception {
        for (Object s : ((Map<String, Object>) compose().get("services")).values()) {
            Object volumes = ((Map<String, Object>) s).get("volumes");
            if (volumes == null) {
                continue;
            }
            for (Object v : (List<Object>) volumes) {
                String source = v.toString().split(":")[0];
                if (source.startsWith("./") && !source.contains("/target/")) {
                    assertThat(ROOT.resolve(source)).as(v.toString()).exists();
                }
            }
        }
    }

    @Test
    void theDashboardAsksForMetricsTheCodeEmits() throws Exception {
        JsonNode d = new ObjectMapper().readTree(ROOT.resolve("deploy/grafana/dashboards/facerec.json").toFile());
        assertThat(d.get("panels")).hasSizeGreaterThanOrEqualTo(6);
        String all = d.toString();
        for (String metric : List.of("facerec_detector_items_total", "facerec_detector_faces_total",
                "facerec_clusterer_faces_total", "facerec_detector_stage_seconds_bucket", "facerec_embedder_stage_seconds_bucket",
                "facerec_errors_total", "facerec_clusterer_persons_created_total", "facerec_embedder_faces_total")) {
            assertThat(all).contains(metric);
        }
        // the same names as the code registers (Micrometer dots become underscores in Prometheus)
        String code = Files.readString(ROOT.resolve("detector-worker/src/main/java/io/facerec/detector/detect/DetectFacesHandler.java"))
                + Files.readString(ROOT.resolve("clusterer-worker/src/main/java/io/facerec/clusterer/cluster/ClusterFacesHandler.java"))
                + Files.readString(ROOT.resolve("common/src/main/java/io/facerec/common/messaging/DeadLetterPublisher.java"))
                + Files.readString(ROOT.resolve("embedder-worker/src/main/java/io/facerec/embedder/embed/FaceInputs.java"));
        assertThat(code).contains("\"facerec.detector.items\"", "\"facerec.detector.faces\"", "\"facerec.clusterer.faces\"",
                "\"facerec.errors\"", "\"facerec.clusterer.persons.created\"", "\"facerec.embedder.faces\"");
    }
}
