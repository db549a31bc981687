package io.alertrelay.sink.email;

import static io.alertrelay.sink.email.TestConfigs.minimal;
import static io.alertrelay.sink.email.TestConfigs.view;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alertrelay.spi.ConfigurationException;
import io.alertrelay.spi.Sink;
import io.alertrelay.spi.SinkFactory;
import io.alertrelay.testing.TestSinkContext;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class EmailSinkFactoryTest {
    @Test
    void serviceLoaderFindsEmailExactlyOnce() {
        List<SinkFactory> factories = ServiceLoader.load(SinkFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(factory -> factory.name().equals("email")).toList();

        assertThat(factories).singleElement().isInstanceOf(EmailSinkFactory.class);
    }

    @Test
    void createsWithMinimalConfigWithoutConnectingAndClosesTwice() {
        // smtp.example.com is never contacted: create makes no network call
        Sink sink = new EmailSinkFactory().create(view(minimal()), TestSinkContext.named("ops-mail"));

        assertThat(sink).isInstanceOf(EmailSink.class);
        sink.close();
        sink.close();
    }

    @Test
    void createReportsEveryProblem() {
        assertThatThrownBy(() -> new EmailSinkFactory().create(view(Map.of("port", "x")), TestSinkContext.named("ops-mail")))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
                        "sinks.ops-mail.host: is required",
                        "sinks.ops-mail.port: 'x' is not an integer",
                        "sinks.ops-mail.from: is required",
                        "sinks.ops-mail.to: is required (a list of one or more addresses)"));
    }
}
