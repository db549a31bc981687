package io.alertrelay.sink.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alertrelay.config.TreeConfigView;
import io.alertrelay.spi.ConfigView;
import io.alertrelay.spi.ConfigurationException;
import io.alertrelay.spi.Sink;
import io.alertrelay.spi.SinkFactory;
import io.alertrelay.testing.TestSinkContext;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class SlackSinkFactoryTest {
    private static final String URL = "https://hooks.slack.com/services/T000/B000/SECRETTOKEN";

    @Test
    void serviceLoaderFindsExactlyOneSlackFactory() {
        List<SinkFactory> slack = ServiceLoader.load(SinkFactory.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(factory -> factory.name().equals("slack"))
                .toList();

        assertThat(slack).hasSize(1);
        assertThat(slack.get(0)).isInstanceOf(SlackSinkFactory.class);
    }

    @Test
    void createsWithMinimalConfigAndCloses() {
        TreeConfigView root = TreeConfigView.root(Map.of("sinks", Map.of("ops-slack", Map.of("webhook-url", URL))));
        ConfigView view = root.section("sinks").section("ops-slack");

        Sink sink = new SlackSinkFactory().create(view, TestSinkContext.named("ops-slack"));

        assertThat(sink).isInstanceOf(SlackSink.class);
        assertThat(root.unusedKeys()).isEmpty();
        assertThat(sink.toString()).doesNotContain("SECRETTOKEN");
        sink.close();
        sink.close();
        assertThat(((SlackSink) sink).isClosed()).isTrue();
    }

    @Test
    void createReportsConfigurationProblems() {
        ConfigView view = TreeConfigView.root(Map.of("sinks", Map.of("ops-slack", Map.of("timeout", "10s"))))
                .section("sinks").section("ops-slack");

        assertThatThrownBy(() -> new SlackSinkFactory().create(view, TestSinkContext.named("ops-slack")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("sinks.ops-slack.webhook-url: is required");
    }
}
