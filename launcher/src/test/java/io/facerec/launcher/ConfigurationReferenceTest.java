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
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's table of every property (section "Configuration"), the complete reference of facerec's own settings,
 * is generated from the configuration
 * metadata that {@code spring-boot-configuration-processor} writes for every {@code @ConfigurationProperties} record
 * of every module ({@code META-INF/spring-configuration-metadata.json}: name, type, default, the record's Javadoc).
 * This test fails when a property of the metadata is missing from the table, or the table is not what the metadata
 * gives now; regenerate it with
 * {@code ./mvnw -pl launcher -am test -Dtest=ConfigurationReferenceTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dfacerec.docs.write=true}.
 */
class ConfigurationReferenceTest {
    static final Path FILE = Path.of("..").toAbsolutePath().normalize().resolve("README.md");

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

    /**
     * A Javadoc description as Markdown: {@code {@code x}} and {@code {@link x}} as code spans, HTML tags dropped
     * outside them (inside, {@code <image>} is text: a thumbnail name pattern, not a tag).
     */
    static String text(String javadoc) {
        if (javadoc == null) {
            return "";
        }
        String s = javadoc.replaceAll("\\{@link(?:plain)? (?:[^}#]*#)?([^}]*)}", "{@code $1}");
        StringBuilder out = new StringBuilder();
        Matcher code = Pattern.compile("\\{@code ([^}]*)}").matcher(s);
        int at = 0;
        while (code.find()) {
            out.append(s, at, code.start()).append('`').append(code.group(1)).append('`');
            at = code.end();
        }
        out.append(s.substring(at));
        StringBuilder md = new StringBuilder();
        String[] parts = out.toString().split("`", -1);
        for (int i = 0; i < parts.length; i++) {
            md.append(i > 0 ? "`" : "").append(i % 2 == 0 ? parts[i].replaceAll("<[^>]+>", "") : parts[i]);
        }
        return md.toString().replace("|", "\\|").replaceAll("\\s+", " ").strip();
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

    static final String BEGIN =
            "<!-- every property: generated from the configuration metadata by ConfigurationReferenceTest -->";
    static final String END = "<!-- end of the generated properties -->";

    /** The group of a property: {@code facerec} for the shared ones, else its first two segments. */
    static String group(String name) {
        String rest = name.substring("facerec.".length());
        return rest.contains(".") ? "facerec." + rest.substring(0, rest.indexOf('.')) : "facerec";
    }

    /** One table of every property: the shared ones first, then by group and name. */
    static String generate(Map<String, JsonNode> properties) {
        List<String> names = new ArrayList<>(properties.keySet());
        names.sort(Comparator.comparing((String n) -> !group(n).equals("facerec"))
                .thenComparing(ConfigurationReferenceTest::group)
                .thenComparing(Comparator.naturalOrder()));
        StringBuilder md = new StringBuilder();
        md.append("| property | environment variable | type | default | meaning |\n")
                .append("| --- | --- | --- | --- | --- |\n");
        for (String name : names) {
            JsonNode p = properties.get(name);
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
        String readme = Files.readString(FILE, StandardCharsets.UTF_8);
        int from = readme.indexOf(BEGIN);
        int to = readme.indexOf(END);
        assertThat(from)
                .as("the README's configuration section holds the generated table between its markers")
                .isGreaterThanOrEqualTo(0)
                .isLessThan(to);
        String block = readme.substring(from + BEGIN.length(), to);
        if (Boolean.getBoolean("facerec.docs.write")) {
            block = "\n" + generated;
            Files.writeString(FILE, readme.substring(0, from + BEGIN.length()) + block + readme.substring(to));
        }
        List<String> missing = new ArrayList<>();
        for (String name : properties.keySet()) {
            if (!block.contains("| `" + name + "` |")) {
                missing.add(name);
            }
        }
        assertThat(missing)
                .as("properties missing from the README's table (regenerate it, see this test)")
                .isEmpty();
        assertThat(block)
                .as("the README's table of every property is out of date (regenerate it, see this test)")
                .isEqualTo("\n" + generated);
    }

    @Test
    void environmentVariablesFollowSpringBootsRelaxedBinding() {
        assertThat(environmentVariable("facerec.detector.score-threshold"))
                .isEqualTo("FACEREC_DETECTOR_SCORETHRESHOLD");
        assertThat(environmentVariable("facerec.capture.enabled")).isEqualTo("FACEREC_CAPTURE_ENABLED");
        assertThat(text("the {@code ORIGIN} names, see {@link Foo#bar}")).isEqualTo("the `ORIGIN` names, see `bar`");
        assertThat(text("written as {@code <image>_TN<i+1><ext>}, <em>not</em> moved"))
                .isEqualTo("written as `<image>_TN<i+1><ext>`, not moved");
    }
}
