package io.alertrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.spi.ConfigurationException;
import io.alertrelay.spi.SinkFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Every YAML example in {@code docs/} and the README goes through the config parser, so no page can show what the
 * relay would reject, or read differently (Rust doctests, Spring REST Docs: run the examples).
 *
 * <p>How an example is checked:
 * <ul>
 *   <li>a fence opened with {@code ```yaml} (at any indentation, e.g. inside a list item) is an example;</li>
 *   <li>it is read as a whole configuration, after the sections it does not give are taken from a minimal base
 *       ({@code redis.url}, one subscription, a console sink), so a page about one section can show just that
 *       section; it must then be accepted with no problem at all (unknown keys included);</li>
 *   <li>{@code ${NAME}} placeholders are set to a value of the right shape guessed from the name ({@code *URL*} and
 *       {@code *WEBHOOK*} a URL, {@code *PASSWORD*}, {@code *TOKEN*}, {@code *SECRET*} a 32-character secret, ...);</li>
 *   <li>an HTML comment {@code <!-- config-example: partial -->} on the line before the fence marks a deliberate
 *       fragment (a few keys cut out of a section, shown indented as they sit in it) that is not a configuration on
 *       its own: it is only checked to be YAML. Use it sparingly; the test lists how many there are.</li>
 * </ul>
 */
final class DocsExamplesTest {
    static final String PARTIAL_MARKER = "<!-- config-example: partial -->";
    private static final Path ROOT = Path.of("..");
    private static final Map<String, SinkFactory> FACTORIES =
            SinkFactoryLoader.byName(SinkFactoryLoader.serviceLoader().load());

    record Example(Path file, int line, String yaml, boolean partial) {
        @Override
        public String toString() {
            return file + ":" + line;
        }
    }

    @Test
    void everyYamlExampleInTheDocsAndTheReadmeIsAcceptedByTheParser() {
        List<Example> examples = examples();
        assertThat(examples).as("YAML examples found").hasSizeGreaterThan(5);
        List<String> failures = new ArrayList<>();
        for (Example example : examples) {
            if (example.partial()) {
                try {
                    new Yaml().load(example.yaml());
                } catch (RuntimeException e) {
                    failures.add(example + ": a partial example that is not YAML: " + e.getClass().getSimpleName());
                }
                continue;
            }
            try {
                RelayConfig.parse(ConfigLoader.parse(example.toString(), completed(example.yaml()),
                        DocsExamplesTest::placeholder), FACTORIES, Clock.systemUTC());
            } catch (ConfigurationException e) {
                failures.add(example + ": " + e.problems());
            }
        }
        assertThat(failures).as("examples the relay would refuse").isEmpty();
        assertThat(examples.stream().filter(Example::partial).count()).as("partial examples").isLessThanOrEqualTo(6);
    }

    @Test
    void theOldEnvPrefixedSyntaxWouldBeCaught() {
        // what docs/sinks/email.md used to show: the test above must fail on it, not accept a literal password
        String yaml = """
                sinks:
                  ops-mail:
                    type: email
                    host: smtp.example.com
                    username: alert-relay
                    password: ${ENV:SMTP_PASSWORD}
                    from: alert-relay@example.com
                    to: [oncall@example.com]
                """;
        try {
            RelayConfig.parse(ConfigLoader.parse("old email.md", completed(yaml), DocsExamplesTest::placeholder),
                    FACTORIES, Clock.systemUTC());
            throw new AssertionError("accepted ${ENV:SMTP_PASSWORD}");
        } catch (ConfigurationException e) {
            assertThat(e.problems()).containsExactly(
                    "sinks.ops-mail.password: ${ENV:SMTP_PASSWORD} is not supported; write ${SMTP_PASSWORD}");
        }
    }

    static List<Example> examples() {
        List<Path> files = new ArrayList<>();
        files.add(ROOT.resolve("README.md"));
        try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
            docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Example> examples = new ArrayList<>();
        for (Path file : files) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (int i = 0; i < lines.size(); i++) {
                String trimmed = lines.get(i).trim();
                if (!trimmed.equals("```yaml") && !trimmed.equals("```yml")) {
                    continue;
                }
                int indent = lines.get(i).indexOf('`');
                boolean partial = i > 0 && lines.get(i - 1).trim().equals(PARTIAL_MARKER);
                StringBuilder yaml = new StringBuilder();
                int j = i + 1;
                for (; j < lines.size() && !lines.get(j).trim().equals("```"); j++) {
                    String line = lines.get(j);
                    yaml.append(line.length() >= indent && line.substring(0, indent).isBlank()
                            ? line.substring(indent) : line.stripLeading()).append('\n');
                }
                examples.add(new Example(ROOT.relativize(file), i + 1, yaml.toString(), partial));
                i = j;
            }
        }
        return examples;
    }

    /** The example, with the sections it does not give taken from a minimal base. */
    @SuppressWarnings("unchecked")
    static String completed(String yaml) {
        Object loaded = new Yaml().load(yaml);
        Map<String, Object> tree = loaded instanceof Map<?, ?> map ? new LinkedHashMap<>((Map<String, Object>) map)
                : new LinkedHashMap<>();
        StringBuilder base = new StringBuilder();
        if (!tree.containsKey("redis")) {
            base.append("redis: {url: \"redis://127.0.0.1:6379\"}\n");
        }
        if (!tree.containsKey("subscriptions")) {
            base.append("subscriptions: [{pattern: \"alerts:*\"}]\n");
        }
        if (!tree.containsKey("sinks")) {
            base.append("sinks: {console: {type: console}}\n");
        }
        return base + yaml;
    }

    /** A value of the shape the name suggests. */
    static String placeholder(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        if (upper.contains("URL") || upper.contains("WEBHOOK")) {
            return "https://hooks.example.invalid/services/T000/B000/XXXXXXXXXXXXXXXX";
        }
        if (upper.contains("PASSWORD") || upper.contains("TOKEN") || upper.contains("SECRET")) {
            return "example-secret-0123456789abcdef";
        }
        if (upper.contains("PORT")) {
            return "6379";
        }
        if (upper.contains("HOST")) {
            return "example.invalid";
        }
        return "example";
    }
}
