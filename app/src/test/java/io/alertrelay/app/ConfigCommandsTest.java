package io.alertrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ConfigCommandsTest {
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    private static Path write(Path dir, String yaml) throws IOException {
        Path file = dir.resolve("relay.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static final String VALID = """
            redis: {url: "redis://127.0.0.1:6390"}
            subscriptions: [{pattern: "alerts:*"}]
            sinks: {console: {type: console}}
            """;

    @Test
    void checkConfigExitsZeroForAValidFileAndTwoForAnInvalidOne(@TempDir Path dir) throws IOException {
        assertThat(ConfigCommands.checkConfig(List.of(write(dir, VALID).toString()), name -> null, out, err)).isZero();
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).contains("Configuration is valid: ");

        assertThat(ConfigCommands.checkConfig(List.of(write(dir, VALID + "shutdown: {timeout: 110000d}\n").toString()),
                name -> null, out, err)).isEqualTo(2);
        assertThat(errBytes.toString(StandardCharsets.UTF_8))
                .contains("shutdown.timeout: '110000d' is too long (at most 3650d)");
    }

    @Test
    void checkConfigNeedsAFileAndHasHelp() {
        assertThat(ConfigCommands.checkConfig(List.of(), name -> null, out, err)).isEqualTo(2);
        assertThat(ConfigCommands.checkConfig(List.of("--help"), name -> null, out, err)).isZero();
        assertThat(outBytes.toString(StandardCharsets.UTF_8)).startsWith("Usage: java -jar alert-relay.jar check-config");
    }

    @Test
    void sendTestDeliversOneMarkedNotificationThroughTheNamedSink(@TempDir Path dir) throws IOException {
        Path file = write(dir, VALID);
        assertThat(ConfigCommands.sendTest(List.of("console", "--config", file.toString()), name -> null, out, err))
                .isZero();
        assertThat(outBytes.toString(StandardCharsets.UTF_8))
                .contains("Test notification delivered through sinks.console (console)");
    }

    @Test
    void sendTestToAnUnknownSinkNamesTheConfiguredOnes(@TempDir Path dir) throws IOException {
        Path file = write(dir, VALID);
        assertThat(ConfigCommands.sendTest(List.of("slack", "--config", file.toString()), name -> null, out, err))
                .isEqualTo(2);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).contains("no sink 'slack'", "configured: [console]");
        assertThat(ConfigCommands.sendTest(List.of("--help"), name -> null, out, err)).isZero();
    }

    @Test
    void theTestAlertSaysWhatItIs() {
        var alert = ConfigCommands.testAlert("ops", java.time.Instant.EPOCH);
        assertThat(alert.title()).startsWith("[TEST]");
        assertThat(alert.labels()).containsEntry("alert-relay-test", "true");
        assertThat(alert.summary()).hasValueSatisfying(summary -> assertThat(summary).contains("No action is needed"));
    }

    @Test
    void theOldCheckConfigFlagKeepsWorking(@TempDir Path dir) throws IOException {
        Path file = write(dir, VALID);
        assertThat(Main.run(new String[] {"--config", file.toString(), "--check-config"}, name -> null, err)).isZero();
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, VALID + "events: {ingest-queue: 2000000000}\n");
        assertThat(Main.run(new String[] {"--config", bad.toString(), "--check-config"}, name -> null, err)).isEqualTo(2);
    }
}
