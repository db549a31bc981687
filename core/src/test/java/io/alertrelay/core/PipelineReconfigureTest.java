package io.alertrelay.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alertrelay.spi.Alert;
import io.alertrelay.spi.InboundMessage;
import io.alertrelay.testing.RecordingSink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link Pipeline#reconfigure}: routes and sinks replaced while alerts flow, make before break. */
final class PipelineReconfigureTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    private static InboundMessage message(String title) {
        return new InboundMessage("alerts:x", Optional.of("alerts:*"), "{\"title\":\"" + title + "\"}", "127.0.0.1:1",
                Instant.now());
    }

    private SinkWorker worker(String id, RecordingSink sink) {
        return new SinkWorker(id, "test", sink, DeliveryPolicy.defaults(), metrics);
    }

    @Test
    void newSinksAndRoutesTakeEffectAndReplacedOrRemovedWorkersAreClosed() throws Exception {
        RecordingSink a1 = new RecordingSink();
        Pipeline pipeline = new Pipeline(new EventDecoder(1024), List.of(Route.toAll(List.of("a"))),
                List.of(worker("a", a1)), metrics);
        pipeline.start();
        pipeline.onMessage(message("one"));
        assertThat(a1.awaitAttempts(1, WAIT)).extracting(Alert::title).containsExactly("one");

        RecordingSink a2 = new RecordingSink();
        RecordingSink b = new RecordingSink();
        List<SinkWorker> retired = pipeline.reconfigure(List.of(Route.toAll(List.of("a", "b"))),
                List.of(worker("a", a2), worker("b", b)), Set.of(), WAIT);
        assertThat(retired).extracting(SinkWorker::id).containsExactly("a");
        assertThat(a1.closed()).isTrue();
        assertThat(pipeline.workers()).containsOnlyKeys("a", "b");

        pipeline.onMessage(message("two"));
        assertThat(a2.awaitAttempts(1, WAIT)).extracting(Alert::title).containsExactly("two");
        assertThat(b.awaitAttempts(1, WAIT)).extracting(Alert::title).containsExactly("two");
        assertThat(a1.attempts()).extracting(Alert::title).containsExactly("one");

        pipeline.reconfigure(List.of(Route.toAll(List.of("b"))), List.of(), Set.of("a"), WAIT);
        assertThat(a2.closed()).isTrue();
        pipeline.onMessage(message("three"));
        assertThat(b.awaitAttempts(2, WAIT)).extracting(Alert::title).containsExactly("two", "three");
        assertThat(a2.attempts()).hasSize(1);
        pipeline.close(WAIT);
    }

    @Test
    void aRouteToAnUnknownSinkChangesNothing() {
        RecordingSink a = new RecordingSink();
        Pipeline pipeline = new Pipeline(new EventDecoder(1024), List.of(Route.toAll(List.of("a"))),
                List.of(worker("a", a)), metrics);
        assertThatThrownBy(() -> pipeline.reconfigure(List.of(Route.toAll(List.of("a", "missing"))), List.of(),
                Set.of(), WAIT)).isInstanceOf(IllegalArgumentException.class);
        assertThat(pipeline.workers()).containsOnlyKeys("a");
        assertThat(pipeline.routes()).singleElement().satisfies(route -> assertThat(route.sinks()).containsExactly("a"));
        assertThat(a.closed()).isFalse();
    }
}
