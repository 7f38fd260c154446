package io.facerec.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.facerec.detector.capture.CaptureProperties;
import io.facerec.detector.capture.DebeziumConfig;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.connect.connector.Connector;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment files, checked as far as possible without a container engine: docker-compose.yml parses and has the
 * services, replica counts and single capture instance it promises, its SQL Server settings produce a valid Debezium
 * SQL Server connector configuration, every file it mounts from the repository exists, the Grafana dashboard asks
 * for metrics the code emits, and it is secure by default (finding 7 of the security review): no default secret (an
 * unset one stops compose, as Compose's own interpolation would), a least-privilege SQL login for the workers, TLS to
 * SQL Server, no password on sqlcmd's command line, only the gallery published and on 127.0.0.1, Prometheus and Grafana
 * behind a profile, Grafana without anonymous access, the gallery with users from the environment. The SQL is checked
 * statement by statement only: no SQL Server runs on our development machines.
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

    /**
     * Compose's variable interpolation for one value: {@code ${VAR}}, {@code ${VAR:-default}}, {@code ${VAR:?error}}
     * (an unset or empty VAR stops compose) and {@code ${VAR:+replacement}}; {@code $$} is a literal {@code $}.
     */
    static String interpolate(String value, Map<String, String> environment) {
        Matcher m = Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?}")
                .matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group().equals("$$")) {
                replacement = "$";
            } else {
                String v = environment.get(m.group(1));
                boolean set = v != null && !v.isEmpty();
                String op = m.group(2) == null ? "" : m.group(2);
                replacement = switch (op) {
                    case ":-", "-" -> set ? v : m.group(3);
                    case ":?", "?" -> {
                        if (!set) {
                            throw new IllegalArgumentException(
                                    "required variable " + m.group(1) + " is missing a value: " + m.group(3));
                        }
                        yield v;
                    }
                    case ":+", "+" -> set ? m.group(3) : "";
                    default -> v == null ? "" : v;
                };
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Every secret compose asks for, set as an operator would. */
    static final Map<String, String> SECRETS = Map.of(
            "MSSQL_SA_PASSWORD",
            "Sa-Secret-1",
            "FACEREC_MIGRATOR_PASSWORD",
            "Migrator-Secret-1",
            "FACEREC_DB_PASSWORD",
            "Worker-Secret-1",
            "GALLERY_ADMIN_USER",
            "ada",
            "GALLERY_ADMIN_PASSWORD_HASH",
            "{bcrypt}$2a$10$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01");

    @Test
    @SuppressWarnings("unchecked")
    void composeHasTheServicesAndExactlyOneCaptureAndOneClusterer() throws Exception {
        Map<String, Object> c = compose();
        assertThat(((Map<String, Object>) c.get("services")).keySet())
                .contains(
                        "kafka",
                        "sqlserver",
                        "sqlserver-init",
                        "capture",
                        "detector",
                        "embedder",
                        "clusterer",
                        "gallery",
                        "prometheus",
                        "grafana");
        for (String s : List.of("detector", "embedder", "clusterer", "gallery")) {
            assertThat(env(service(c, s)).get("FACEREC_CAPTURE_ENABLED")).as(s).isEqualTo("false");
        }
        assertThat(env(service(c, "capture")).get("FACEREC_CAPTURE_ENABLED")).isEqualTo("true");
        assertThat(((Map<String, Object>) service(c, "clusterer").get("deploy")).get("replicas"))
                .isEqualTo(1);
        assertThat((Integer) ((Map<String, Object>) service(c, "detector").get("deploy")).get("replicas"))
                .isGreaterThanOrEqualTo(2);
        assertThat(env(service(c, "sqlserver")).get("MSSQL_AGENT_ENABLED"))
                .as("CDC needs SQL Server Agent")
                .isEqualTo("true");
    }

    @Test
    void itsSqlServerSettingsMakeAValidDebeziumSqlServerConfiguration() throws Exception {
        Map<String, Object> e = env(service(compose(), "capture"));
        CaptureProperties props = new CaptureProperties(
                true,
                CaptureProperties.StartFrom.PENDING_ROWS,
                Path.of((String) e.get("FACEREC_CAPTURE_OFFSETFILE")),
                Path.of((String) e.get("FACEREC_CAPTURE_SCHEMAHISTORYFILE")),
                "facerec_media_items",
                "facerec_media_items",
                "facerec",
                false,
                100);
        Properties p = DebeziumConfig.build(
                props,
                interpolate((String) e.get("SPRING_DATASOURCE_URL"), SECRETS),
                (String) e.get("SPRING_DATASOURCE_USERNAME"),
                "secret");
        assertThat(p.getProperty("connector.class")).isEqualTo("io.debezium.connector.sqlserver.SqlServerConnector");
        assertThat(p.getProperty("poll.interval.ms")).isEqualTo("100");
        assertThat(p.getProperty("database.hostname")).isEqualTo("sqlserver");
        assertThat(p.getProperty("database.names")).isEqualTo("Media");
        assertThat(p.getProperty("table.include.list")).isEqualTo("dbo.MediaItems");
        // the connector class is on the classpath and accepts the configuration keys we give it
        Class<?> connector = Class.forName(p.getProperty("connector.class"));
        var config = ((Connector) connector.getDeclaredConstructor().newInstance()).config();
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
        JsonNode d = new ObjectMapper()
                .readTree(ROOT.resolve("deploy/grafana/dashboards/facerec.json").toFile());
        assertThat(d.get("panels")).hasSizeGreaterThanOrEqualTo(6);
        String all = d.toString();
        for (String metric : List.of(
                "facerec_detector_items_total",
                "facerec_detector_faces_total",
                "facerec_clusterer_faces_total",
                "facerec_detector_stage_seconds_bucket",
                "facerec_embedder_stage_seconds_bucket",
                "facerec_errors_total",
                "facerec_clusterer_persons_total",
                "facerec_embedder_faces_total",
                "facerec_capture_running",
                "facerec_capture_lag_seconds")) {
            assertThat(all).contains(metric);
        }
        // the same names as the code registers (Micrometer dots become underscores in Prometheus, and the Prometheus
        // client drops a trailing "created" as it does "total": facerec.clusterer.persons.created is exported as
        // facerec_clusterer_persons_total). OperationsIT checks every query against a real scrape.
        // the meters are declared once, in PipelineMeters
        String code =
                Files.readString(ROOT.resolve("common/src/main/java/io/facerec/common/pipeline/PipelineMeters.java"));
        assertThat(code)
                .contains(
                        "\"facerec.detector.items\"",
                        "\"facerec.detector.faces\"",
                        "\"facerec.clusterer.faces\"",
                        "\"facerec.errors\"",
                        "\"facerec.clusterer.persons.created\"",
                        "\"facerec.embedder.faces\"");
    }

    @Test
    @SuppressWarnings("unchecked")
    void noDefaultSecretsAndEachOneStopsComposeWhenUnset() throws Exception {
        String text = Files.readString(ROOT.resolve("docker-compose.yml"));
        assertThat(text).doesNotContain("Facerec-Dev").doesNotContainPattern("PASSWORD[A-Z_]*:-[^}]");
        Map<String, Object> services = (Map<String, Object>) compose().get("services");
        // with every secret set, every value interpolates; without any one of them, compose stops with its name
        for (String secret : SECRETS.keySet()) {
            Map<String, String> missing = new HashMap<>(SECRETS);
            missing.remove(secret);
            boolean stopped = false;
            for (Object svc : services.values()) {
                Map<String, Object> env = env((Map<String, Object>) svc);
                for (Object v : env == null ? List.of() : env.values()) {
                    interpolate(String.valueOf(v), SECRETS);
                    try {
                        interpolate(String.valueOf(v), missing);
                    } catch (IllegalArgumentException e) {
                        assertThat(e.getMessage()).contains(secret);
                        stopped = true;
                    }
                }
            }
            assertThat(stopped).as("compose stops without " + secret).isTrue();
        }
        // every password-like setting is a variable, never a literal
        for (var svc : services.entrySet()) {
            Map<String, Object> env = env((Map<String, Object>) svc.getValue());
            if (env == null) {
                continue;
            }
            for (var e : env.entrySet()) {
                if (e.getKey().contains("PASSWORD")) {
                    assertThat(String.valueOf(e.getValue()))
                            .as(svc.getKey() + " " + e.getKey())
                            .startsWith("${");
                }
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theWorkersUseALeastPrivilegeLoginOverTls() throws Exception {
        Map<String, Object> c = compose();
        for (String s : List.of("capture", "detector", "embedder", "clusterer", "gallery")) {
            Map<String, Object> e = env(service(c, s));
            assertThat(e.get("SPRING_DATASOURCE_USERNAME")).as(s).isEqualTo("facerec_worker");
            assertThat(e.get("SPRING_FLYWAY_ENABLED"))
                    .as(s + ": no DDL from the workers")
                    .isEqualTo("false");
            String url = interpolate((String) e.get("SPRING_DATASOURCE_URL"), SECRETS);
            assertThat(url).as(s).contains(";encrypt=true");
        }
        String logins = Files.readString(ROOT.resolve("deploy/sqlserver/logins.sql"));
        List<String> statements = Arrays.stream(logins.split("\\R"))
                .map(String::strip)
                .filter(l -> !l.startsWith("--") && !l.isEmpty())
                .toList();
        assertThat(statements)
                .contains(
                        "ALTER ROLE db_datareader ADD MEMBER facerec_worker;",
                        "ALTER ROLE db_datawriter ADD MEMBER facerec_worker;",
                        "ALTER ROLE db_ddladmin ADD MEMBER facerec_migrator;",
                        "ALTER ROLE facerec_cdc_reader ADD MEMBER facerec_worker;");
        assertThat(statements)
                .noneMatch(l -> l.contains("facerec_worker")
                        && (l.contains("db_owner")
                                || l.contains("db_ddladmin")
                                || l.contains("sysadmin")
                                || l.contains("CONTROL")));
        assertThat(logins).contains("$(WORKER_PASSWORD_SQL)").contains("$(MIGRATOR_PASSWORD_SQL)");
        assertThat(Files.readString(ROOT.resolve("deploy/sqlserver/enable-cdc.sql")))
                .contains("@role_name     = N'facerec_cdc_reader'");
        String init = Files.readString(ROOT.resolve("deploy/sqlserver/init.sh"));
        assertThat(init).contains("-U facerec_migrator -d Media -i \"$f\"").contains("-i /init/logins.sql");
        // no password on sqlcmd's command line, here or in the health check: SQLCMDPASSWORD in the environment
        String compose = Files.readString(ROOT.resolve("docker-compose.yml"));
        for (String text : List.of(init, compose)) { // (comments may mention -P)
            assertThat(text).contains("SQLCMDPASSWORD").doesNotContainPattern("(?m)^[^#\\n]*sqlcmd[^\\n]* -P ");
        }
        assertThat(init).doesNotContainPattern("(?m)^[^#\\n]*-P ");
    }

    @Test
    @SuppressWarnings("unchecked")
    void onlyTheGalleryIsPublishedOnLoopbackAndMonitoringIsOptIn() throws Exception {
        Map<String, Object> c = compose();
        Map<String, Object> services = (Map<String, Object>) c.get("services");
        for (var s : services.entrySet()) {
            Object ports = ((Map<String, Object>) s.getValue()).get("ports");
            if (ports == null) {
                continue;
            }
            assertThat(s.getKey()).isIn("gallery", "prometheus", "grafana");
            for (Object p : (List<Object>) ports) {
                assertThat(interpolate(p.toString(), SECRETS)).as(s.getKey()).startsWith("127.0.0.1:");
            }
        }
        for (String s : List.of("prometheus", "grafana")) {
            assertThat((List<Object>) service(c, s).get("profiles")).as(s).containsExactly("monitoring");
        }
        Map<String, Object> grafana = env(service(c, "grafana"));
        assertThat(grafana.get("GF_AUTH_ANONYMOUS_ENABLED")).isEqualTo("false");
        assertThat(interpolate(
                        (String) grafana.get("GF_SECURITY_ADMIN_PASSWORD"), Map.of("GRAFANA_ADMIN_PASSWORD", "g")))
                .isEqualTo("g");
        assertThat(String.valueOf(service(c, "grafana").get("entrypoint")))
                .contains("GF_SECURITY_ADMIN_PASSWORD")
                .contains("exit 1");
        // the gallery: server mode with the user from the environment, the scraper's user only when its hash is set
        Map<String, Object> g = env(service(c, "gallery"));
        assertThat(g.get("FACEREC_GALLERY_SECURITY_MODE")).isEqualTo("ACCOUNTS");
        assertThat(interpolate((String) g.get("FACEREC_GALLERY_SECURITY_USERS_0_PASSWORD"), SECRETS))
                .isEqualTo(SECRETS.get("GALLERY_ADMIN_PASSWORD_HASH"));
        assertThat(interpolate((String) g.get("FACEREC_GALLERY_SECURITY_USERS_1_NAME"), SECRETS))
                .isEmpty();
        Map<String, String> withScraper = new HashMap<>(SECRETS);
        withScraper.put("PROMETHEUS_SCRAPE_PASSWORD_HASH", "{bcrypt}$2a$10$x");
        assertThat(interpolate((String) g.get("FACEREC_GALLERY_SECURITY_USERS_1_NAME"), withScraper))
                .isEqualTo("prometheus");
        assertThat(g.get("FACEREC_GALLERY_SECURITY_USERS_1_ROLES")).isEqualTo("METRICS");
        // the gallery's settings bind to its typed configuration (Spring's relaxed names for the environment)
        assertThat(g.keySet())
                .filteredOn(k -> k.startsWith("FACEREC_GALLERY_SECURITY_USERS_"))
                .allMatch(k -> k.matches("FACEREC_GALLERY_SECURITY_USERS_[0-9]+_(NAME|PASSWORD|ROLES)"));
        String prometheus = Files.readString(ROOT.resolve("deploy/prometheus/prometheus.yml"));
        assertThat(prometheus)
                .contains("password_file: /run/secrets/prometheus_scrape_password")
                .contains("username: prometheus");
        assertThat(((Map<String, Object>) c.get("secrets"))).containsKey("prometheus_scrape_password");
    }

    static final List<String> FACEREC_SERVICES = List.of("capture", "detector", "embedder", "clusterer", "gallery");

    @SuppressWarnings("unchecked")
    static String healthTest(Map<String, Object> service) {
        Object test = ((Map<String, Object>) service.get("healthcheck")).get("test");
        return test instanceof List<?> l
                ? String.join(" ", l.stream().map(String::valueOf).toList())
                : String.valueOf(test);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyServiceWaitsForHealthyOrCompletedDependenciesAndTheFacerecServicesReportTheirHealth() throws Exception {
        Map<String, Object> services = (Map<String, Object>) compose().get("services");
        for (String s : FACEREC_SERVICES) {
            Map<String, Object> svc = service(compose(), s);
            assertThat(svc.get("healthcheck")).as(s + " has a health check").isNotNull();
            String test = healthTest(svc);
            // the operations port of the service, its health endpoint, and UP as the answer
            assertThat(env(svc).get("MANAGEMENT_SERVER_PORT")).as(s).isEqualTo("8081");
            assertThat(test)
                    .as(s)
                    .contains("/dev/tcp/127.0.0.1/8081")
                    .contains("GET /actuator/health")
                    .contains("\"status\":\"UP\"");
            Map<String, Object> deps = (Map<String, Object>) svc.get("depends_on");
            assertThat(deps.keySet()).as(s).contains("kafka", "sqlserver-init", "volumes-init");
        }
        for (String s : List.of("kafka", "sqlserver", "prometheus")) {
            assertThat(service(compose(), s).get("healthcheck"))
                    .as(s + " has a health check")
                    .isNotNull();
        }
        // every dependency exists and is waited for: healthy where it has a health check, completed for one-shot jobs
        int checked = 0;
        for (var e : services.entrySet()) {
            Object deps = ((Map<String, Object>) e.getValue()).get("depends_on");
            if (deps == null) {
                continue;
            }
            assertThat(deps)
                    .as(e.getKey() + ": depends_on with conditions, not a plain list")
                    .isInstanceOf(Map.class);
            for (var d : ((Map<String, Object>) deps).entrySet()) {
                Map<String, Object> target = (Map<String, Object>) services.get(d.getKey());
                assertThat(target).as(e.getKey() + " depends on " + d.getKey()).isNotNull();
                String condition = String.valueOf(((Map<String, Object>) d.getValue()).get("condition"));
                if ("no".equals(String.valueOf(target.get("restart")))) {
                    assertThat(condition)
                            .as(e.getKey() + " -> " + d.getKey())
                            .isEqualTo("service_completed_successfully");
                } else {
                    assertThat(target.get("healthcheck"))
                            .as(d.getKey() + " has a health check to wait for")
                            .isNotNull();
                    assertThat(condition).as(e.getKey() + " -> " + d.getKey()).isEqualTo("service_healthy");
                }
                checked++;
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(FACEREC_SERVICES.size() * 3 + 3);
        assertThat(((Map<String, Object>) service(compose(), "prometheus").get("depends_on")))
                .containsKey("gallery");
        assertThat(((Map<String, Object>) service(compose(), "grafana").get("depends_on")))
                .containsKey("prometheus");
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyServiceHasAMemoryLimitAndTheJvmsTakeTheirHeapFromIt() throws Exception {
        Map<String, Object> services = (Map<String, Object>) compose().get("services");
        for (var e : services.entrySet()) {
            Map<String, Object> deploy = (Map<String, Object>) ((Map<String, Object>) e.getValue()).get("deploy");
            assertThat(deploy).as(e.getKey()).isNotNull();
            Object memory =
                    ((Map<String, Object>) ((Map<String, Object>) deploy.get("resources")).get("limits")).get("memory");
            assertThat(String.valueOf(memory)).as(e.getKey() + " memory limit").matches("[0-9]+[mg]");
        }
        for (String s : FACEREC_SERVICES) {
            assertThat(String.valueOf(env(service(compose(), s)).get("JAVA_TOOL_OPTIONS")))
                    .as(s + ": no fixed -Xmx")
                    .doesNotContain("-Xmx");
        }
        // the images' JVM flag that turns the limit into the heap
        assertThat(Files.readString(ROOT.resolve("pom.xml"))).contains("<jvmFlag>-XX:MaxRAMPercentage=75</jvmFlag>");
    }

    @Test
    @SuppressWarnings("unchecked")
    void imagesRunAsAUserFromAStandardBaseAndTheVolumesTheyWriteAreTheirs() throws Exception {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        // Jib: a public JRE image by default, the offline Debian base only behind the offline-base profile
        assertThat(pom)
                .contains("<facerec.base-image>eclipse-temurin:17-jre</facerec.base-image>")
                .contains("<from><image>${facerec.base-image}</image></from>")
                .contains("<user>${facerec.image-user}</user>");
        Matcher user = Pattern.compile("<facerec.image-user>([0-9]+):([0-9]+)</facerec.image-user>")
                .matcher(pom);
        assertThat(user.find()).isTrue();
        assertThat(Integer.parseInt(user.group(1))).as("not root").isPositive();
        String offline = pom.substring(pom.indexOf("<id>offline-base</id>"));
        assertThat(offline.substring(0, offline.indexOf("</profile>"))).contains("tar://");
        assertThat(Files.readString(ROOT.resolve("deploy/images/build.sh"))).contains("-Pimages,offline-base");
        Map<String, Object> c = compose();
        Map<String, Object> services = (Map<String, Object>) c.get("services");
        // no facerec service overrides the image's user; only volumes-init runs as root, to give the volumes to it
        for (String s : FACEREC_SERVICES) {
            assertThat(service(c, s).get("user")).as(s).isNull();
        }
        Map<String, Object> init = service(c, "volumes-init");
        assertThat(init.get("user")).isEqualTo("0:0");
        String chown = String.valueOf(init.get("entrypoint"));
        assertThat(chown).contains("chown " + user.group(1) + ":" + user.group(2));
        Set<String> written = new TreeSet<>();
        for (String s : FACEREC_SERVICES) {
            for (Object v : (List<Object>) service(c, s).get("volumes")) {
                String[] parts = v.toString().split(":");
                if (!parts[0].startsWith(".")
                        && !parts[0].startsWith("$")
                        && !(parts.length > 2 && parts[2].equals("ro"))) {
                    written.add(parts[1]);
                }
            }
        }
        assertThat(written).containsExactlyInAnyOrder("/thumbnails", "/logs", "/state");
        for (String path : written) {
            assertThat(chown)
                    .as("volumes-init gives " + path + " to the images' user")
                    .contains(path);
        }
        // state that must survive a restart lives in named volumes, all of them declared
        Map<String, Object> volumes = (Map<String, Object>) c.get("volumes");
        assertThat(String.valueOf(service(c, "prometheus").get("volumes"))).contains("prometheus-data:/prometheus");
        assertThat(String.valueOf(service(c, "sqlserver").get("volumes"))).contains("sqlserver-data:/var/opt/mssql");
        Map<String, Object> kafka = service(c, "kafka");
        assertThat(String.valueOf(kafka.get("volumes")))
                .contains("kafka-data:" + env(kafka).get("KAFKA_LOG_DIRS"));
        for (Object svc : services.values()) {
            Object vs = ((Map<String, Object>) svc).get("volumes");
            for (Object v : vs == null ? List.of() : (List<Object>) vs) {
                String source = v.toString().split(":")[0];
                if (source.matches("[a-z][a-z0-9-]*")) {
                    assertThat(volumes).as("volume " + source + " is declared").containsKey(source);
                }
            }
        }
        // the replicas share /logs: each process writes files of its own
        assertThat(env(service(c, "detector")).get("LOG_INSTANCE")).isEqualTo("auto");
        assertThat(env(service(c, "detector")).get("CONSOLE_LOG_LEVEL")).isEqualTo("INFO");
    }
}
