package io.facerec.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/configuration.md}, the complete reference of facerec's own settings, is generated from the configuration
 * metadata that {@code spring-boot-configuration-processor} writes for every {@code @ConfigurationProperties} record
 * of every module ({@code META-INF/spring-configuration-metadata.json}: name, type, default, the record's Javadoc).
 * This test fails when a property of the metadata is missing from the file, or the file is not what the metadata
 * gives now; regenerate it with
 * {@code ./mvnw -pl launcher -am test -Dtest=ConfigurationReferenceTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dfacerec.docs.write=true}.
 */
class ConfigurationReferenceTest {
    static final Path FILE = Path.of("..").toAbsolutePath().normalize().resolve("docs/configuration.md");

    /** facerec's properties (sourceType io.facerec.*), by name, from every module on the class path. */
    static Map<String, JsonNode> properties() throws Exception {
        Map<String, JsonNode> all = new TreeMap<>();
        Enumeration<URL> files = ConfigurationReferenceTest.class
                .getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json");
        ObjectMapper json = new ObjectMapper();
        while (files.hasMoreElements()) {
            try (InputStream in = files.nextElement().openStream()) {
                for (JsonNode p : json.readTree(in).path("properties")) {
                    if (p.path("sourceType").asText().startsWith("io.facerec.")) {
                        all.put(p.get("name").asText(), p);
                    }
                }
            }
        }
        return all;
    }

    /** The environment variable of a property (Spring Boot's relaxed binding). */
    static String environmentVariable(String property) {
        return property.replace("-", "")
                .replace('.', '_')
                .replace("[", "_")
                .replace("]", "")
                .toUpperCase(Locale.ROOT);
    }

    static String text(String javadoc) {
        return javadoc == null
                ? ""
                : javadoc.replaceAll("\\{@code ([^}]*)}", "`$1`")
                        .replaceAll("\\{@link(?:plain)? (?:[^}#]*#)?([^}]*)}", "`$1`")
                        .replaceAll("<[^>]+>", "")
                        .replace("|", "\\|")
                        .replaceAll("\\s+", " ")
                        .strip();
    }

    static String type(String javaType) {
        String t = javaType.replace("java.lang.", "")
                .replace("java.util.", "")
                .replace("java.nio.file.", "")
                .replace("java.time.", "");
        return t.replaceAll("io\\.facerec\\.[a-z.]+\\.", "")
                .replace("$", ".")
                .replace("<", "&lt;")
                .replace(">", "&gt;");
    }

    static String generate(Map<String, JsonNode> properties) {
        StringBuilder md = new StringBuilder();
        md.append("# Configuration reference\n\n");
        md.append("Every setting of facerec's own, generated from the configuration metadata of its modules (the\n");
        md.append(
                "`@ConfigurationProperties` records and their Javadoc) by `ConfigurationReferenceTest`, which fails when\n");
        md.append("this file misses a property or is out of date; do not edit it by hand. Set a property in\n");
        md.append(
                "`application.properties`, as a command-line argument (`--facerec.detector.score-threshold=0.8`), or as\n");
        md.append(
                "the environment variable in the second column (Spring Boot's relaxed binding); list elements take an\n");
        md.append(
                "index (`FACEREC_GALLERY_SECURITY_USERS_0_NAME`). Spring Boot's own settings (`spring.datasource.*`,\n");
        md.append(
                "`spring.kafka.*`, `server.*`, `management.*`) are in Spring Boot's reference. The origin's variables\n");
        md.append(
                "(`THUMBNAIL_SAVE_PATH`, `CONTAINER_IMAGES_ROOT`, `DB_PREFIX`, `ROOT_PATH`, `SQL_CONNECTION_STRING`) set\n");
        md.append("some of these defaults; see the README, \"Moving from the Python system\".\n\n");
        String group = null;
        for (Map.Entry<String, JsonNode> e : properties.entrySet()) {
            String name = e.getKey();
            String g = name.substring(
                    0,
                    name.indexOf('.', "facerec.".length()) > 0
                            ? name.indexOf('.', "facerec.".length())
                            : name.length());
            if (!name.substring("facerec.".length()).contains(".")) {
                g = "facerec";
            }
            if (!g.equals(group)) {
                group = g;
                md.append("\n## `")
                        .append(g)
                        .append(g.equals("facerec") ? "` (shared by every process)" : ".*`")
                        .append("\n\n| property | environment variable | type | default | meaning |\n")
                        .append("| --- | --- | --- | --- | --- |\n");
            }
            JsonNode p = e.getValue();
            JsonNode def = p.get("defaultValue");
            String d = def == null || def.isNull() ? "" : def.isArray() ? def.toString() : def.asText();
            md.append("| `")
                    .append(name)
                    .append("` | `")
                    .append(environmentVariable(name))
                    .append("` | ")
                    .append(type(p.path("type").asText()))
                    .append(" | ")
                    .append(d.isEmpty() ? "" : "`" + d.replace("|", "\\|") + "`")
                    .append(" | ")
                    .append(text(p.path("description").asText(null)))
                    .append(" |\n");
        }
        return md.toString();
    }

    @Test
    void everyPropertyOfTheMetadataIsInTheReferenceAndTheReferenceIsCurrent() throws Exception {
        Map<String, JsonNode> properties = properties();
        // the modules' metadata is there (the processor ran): a property of each module
        assertThat(properties)
                .containsKeys(
                        "facerec.media-root",
                        "facerec.capture.slot-name",
                        "facerec.detector.score-threshold",
                        "facerec.embedder.use-gpu",
                        "facerec.embedder.input-name",
                        "facerec.clusterer.max-batch",
                        "facerec.capture.publication-name",
                        "facerec.capture.topic-prefix",
                        "facerec.capture.drop-slot-on-stop",
                        "facerec.capture.schema-history-file",
                        "facerec.gallery.security.mode");
        String generated = generate(properties);
        if (Boolean.getBoolean("facerec.docs.write")) {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, generated, StandardCharsets.UTF_8);
        }
        assertThat(FILE).exists();
        String doc = Files.readString(FILE, StandardCharsets.UTF_8);
        List<String> missing = new ArrayList<>();
        for (String name : properties.keySet()) {
            if (!doc.contains("| `" + name + "` |")) {
                missing.add(name);
            }
        }
        assertThat(missing)
                .as("properties missing from docs/configuration.md (regenerate it, see this test)")
                .isEmpty();
        assertThat(doc)
                .as("docs/configuration.md is out of date (regenerate it, see this test)")
                .isEqualTo(generated);
    }

    @Test
    void environmentVariablesFollowSpringBootsRelaxedBinding() {
        assertThat(environmentVariable("facerec.detector.score-threshold"))
                .isEqualTo("FACEREC_DETECTOR_SCORETHRESHOLD");
        assertThat(environmentVariable("facerec.capture.enabled")).isEqualTo("FACEREC_CAPTURE_ENABLED");
        assertThat(text("the {@code ORIGIN} names, see {@link Foo#bar}")).isEqualTo("the `ORIGIN` names, see `bar`");
    }
}
