package io.alertrelay.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.spi.InboundMessage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The ingest queue: the source's thread only queues; what does not fit is shed and counted, never blocks the caller.
 */
final class PipelineIngestTest {
    @Test
    void theCallerNeverWaitsAndWhatDoesNotFitIsShedAndCounted() throws Exception {
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstSeen = new CountDownLatch(1);
        Pipeline pipeline = new Pipeline(new EventDecoder(EventDecoder.DEFAULT_MAX_SIZE), List.of(), List.of(),
                metrics, 1_000);
        pipeline.addObserver((alert, node) -> {
            firstSeen.countDown();
            try {
                release.await();   // the pipeline thread is stuck (a slow disk, say)
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        pipeline.start();
        pipeline.onMessage(message(0));
        assertThat(firstSeen.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i <= 1_500; i++) {
            pipeline.onMessage(message(i));   // returns at once although nothing is processed
        }
        assertThat(pipeline.ingestDepth()).isEqualTo(1_000);
        assertThat(pipeline.shedCount()).isEqualTo(500);
        assertThat(metrics.get("alertrelay.events.shed").counter().count()).isEqualTo(500.0);
        assertThat(metrics.get("alertrelay.events.ingest.depth").gauge().value()).isEqualTo(1_000.0);

        release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pipeline.ingestDepth() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(pipeline.ingestDepth()).isZero();
        assertThat(metrics.get("alertrelay.events.received").counter().count()).isEqualTo(1_001.0);
        pipeline.close();
    }

    private static InboundMessage message(int n) {
        return new InboundMessage("alerts:x", Optional.of("alerts:*"), "{\"title\":\"m" + n + "\"}", "n:1", Instant.EPOCH);
    }
}
