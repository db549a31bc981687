package io.alertrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.spi.SinkFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every sink type on the class path has its page, so the docs never list sinks by hand: README, architecture.md and
 * configuration.md point to {@code docs/sinks/<type>.md}, and this test makes that pointer true. The console sink is
 * built into core and documented in configuration.md.
 */
final class SinkDocsTest {
    private static final Path DOCS = Path.of("..", "docs");

    @Test
    void everySinkTypeOnTheClassPathHasItsPageNamingItsFactory() throws IOException {
        List<SinkFactory> factories = SinkFactoryLoader.serviceLoader().load();
        assertThat(factories).extracting(SinkFactory::name).contains("console", "email", "slack");

        for (SinkFactory factory : factories) {
            if (factory.name().equals("console")) {
                assertThat(Files.readString(DOCS.resolve("configuration.md"), StandardCharsets.UTF_8))
                        .contains("## Console sink", "`type: console`");
                continue;
            }
            Path page = DOCS.resolve("sinks").resolve(factory.name() + ".md");
            assertThat(page).as("the page of sink type '%s'", factory.name()).isRegularFile();
            assertThat(Files.readString(page, StandardCharsets.UTF_8))
                    .as("%s", page)
                    .contains("(`type: " + factory.name() + "`)")
                    .contains(factory.getClass().getName());
        }
    }

    @Test
    void theDocsPointToTheSinkPagesAndTheGuide() throws IOException {
        String readme = Files.readString(DOCS.resolve("..").resolve("README.md"), StandardCharsets.UTF_8);
        String configuration = Files.readString(DOCS.resolve("configuration.md"), StandardCharsets.UTF_8);
        String architecture = Files.readString(DOCS.resolve("architecture.md"), StandardCharsets.UTF_8);

        assertThat(readme).contains("docs/sinks/", "docs/writing-a-sink.md");
        assertThat(configuration).contains("sinks/<type>.md");
        assertThat(architecture).contains("writing-a-sink.md");
        assertThat(DOCS.resolve("writing-a-sink.md")).isRegularFile();
    }
}
