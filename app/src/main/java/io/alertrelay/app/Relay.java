package io.alertrelay.app;

import io.alertrelay.core.DeadLetters;
import io.alertrelay.core.DeliveryClaims;
import io.alertrelay.source.redis.RedisDeliveryClaims;
import io.alertrelay.source.redis.StreamSource;
import io.alertrelay.source.redis.StreamSubscription;
import io.alertrelay.core.Pipeline;
import io.alertrelay.core.outbox.MvStoreOutbox;
import java.util.Set;
import java.util.TreeSet;
import io.alertrelay.spi.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running relay: the outbox, the sinks, then the source; stopped in reverse. On SIGTERM the source stops first (no
 * new alerts), then each sink finishes its in-flight call (and, while it delivers, its queue) within
 * {@code shutdown.timeout}, then the outbox is flushed and closed: whatever is undelivered is on disk for the next
 * start.
 */
final class Relay {
    private static final Logger log = LoggerFactory.getLogger(Relay.class);

    private final RelayConfig config;
    private final Source source;
    private final Pipeline pipeline;
    private final RelayWatchdog watchdog;
    private final MvStoreOutbox outbox;
    private final DeliveryClaims claims;
    private final Lifecycle lifecycle = new Lifecycle();
    private StreamSource streams;

    Relay(RelayConfig config, Source source, Pipeline pipeline, RelayWatchdog watchdog, MvStoreOutbox outbox,
          DeliveryClaims claims) {
        this.config = config;
        this.source = source;
        this.pipeline = pipeline;
        this.watchdog = watchdog;
        this.outbox = outbox;
        this.claims = claims;
    }

    RelayWatchdog watchdog() {
        return watchdog;
    }

    Source source() {
        return source;
    }

    Pipeline pipeline() {
        return pipeline;
    }

    /** The {@code stream} subscriptions: started after the pub/sub source, stopped before it. */
    void useStreams(StreamSource streamSource, io.micrometer.core.instrument.MeterRegistry metrics) {
        this.streams = streamSource;
        for (StreamSubscription subscription : streamSource.subscriptions()) {
            String stream = subscription.stream();
            io.micrometer.core.instrument.Gauge.builder("alertrelay.stream.lag", streamSource,
                    s -> statusOf(s, stream).map(StreamSource.StreamStatus::lag).orElse(-1L))
                    .description("Entries of the stream not yet delivered to the consumer group (XINFO GROUPS lag); "
                            + "-1 unknown").tag("stream", stream).register(metrics);
            io.micrometer.core.instrument.Gauge.builder("alertrelay.stream.pending", streamSource,
                    s -> statusOf(s, stream).map(StreamSource.StreamStatus::pending).orElse(-1L))
                    .description("Entries delivered to a consumer of the group and not acknowledged (XPENDING); -1 "
                            + "unknown").tag("stream", stream).register(metrics);
        }
    }

    private static java.util.Optional<StreamSource.StreamStatus> statusOf(StreamSource source, String stream) {
        return source.status().stream().filter(status -> status.stream().equals(stream)).findFirst();
    }

    void start() throws Exception {
        config.warnings().forEach(warning -> log.warn("Configuration advice: {}", warning));
        watchdog.wire();
        watchdog.setOutboxStatus(this::outboxStatus);
        watchdog.setSilenceStatus(() -> SilenceRoutes.status(pipeline.notifier()));
        if (streams != null) {
            watchdog.setRedisStreamsStatus(streams::status);
        }
        lifecycle.start(new Lifecycle.Component() {
            @Override
            public String name() {
                return "outbox";
            }

            @Override
            public void start() {
                Set<String> orphans = new TreeSet<>(outbox.sinkIds());
                orphans.removeAll(pipeline.workers().keySet());
                for (String sinkId : orphans) {
                    log.warn("Outbox: {} notification(s) and {} dead letter(s) are kept for sink '{}', which is not "
                            + "configured now; they are delivered when it is configured again",
                            outbox.pendingCount(sinkId), outbox.deadLetterCount(sinkId), sinkId);
                }
            }

            @Override
            public void stop() {
                claims.close();
                outbox.close();
            }
        });
        lifecycle.start(new Lifecycle.Component() {
            @Override
            public String name() {
                return "sinks";
            }

            @Override
            public void start() {
                pipeline.start();
            }

            @Override
            public void stop() {
                pipeline.close(config.shutdownTimeout());
            }
        });
        lifecycle.start(new Lifecycle.Component() {
            @Override
            public String name() {
                return "source";
            }

            @Override
            public void start() {
                source.start(pipeline);
            }

            @Override
            public void stop() {
                source.close();
            }
        });
        if (streams != null && !streams.subscriptions().isEmpty()) {
            StreamSource streamSource = streams;
            lifecycle.start(new Lifecycle.Component() {
                @Override
                public String name() {
                    return "streams";
                }

                @Override
                public void start() {
                    streamSource.start(pipeline);
                }

                @Override
                public void stop() {
                    streamSource.close();
                }
            });
        }
        lifecycle.start(new Lifecycle.Component() {
            @Override
            public String name() {
                return "watchdog";
            }

            @Override
            public void start() {
                watchdog.start();
                watchdog.http().ifPresent(http -> http.addRoute(DeadLetterRoutes.PATH,
                        new DeadLetterRoutes(new DeadLetters(outbox, pipeline.workers()))));
                watchdog.http().ifPresent(http -> http.addRoute(SilenceRoutes.PATH,
                        new SilenceRoutes(pipeline.notifier().silences(), config.httpToken(),
                                RoutingConfig.isLoopback(config.watchdog().http().bind()),
                                pipeline.notifier().clock())));
            }

            @Override
            public void stop() {
                watchdog.close();
            }
        });
        log.info("Alert Relay running: {}; subscriptions {}{}; sinks {}", source.describe(), config.subscriptions(),
                config.streamSubscriptions().isEmpty() ? "" : " and " + config.streamSubscriptions()
                        + " as consumer " + streams.consumer(),
                config.sinks().stream().map(sink -> sink.id() + " (" + sink.type() + ")").toList());
    }

    private java.util.Map<String, Object> outboxStatus() {
        java.util.Map<String, Object> status = new java.util.LinkedHashMap<>();
        status.put("dir", outbox.directory().toAbsolutePath().normalize().toString());
        status.put("flushes", outbox.flushes());
        status.put("writeFailures", outbox.writeFailures());
        java.util.Map<String, Object> claimStatus = new java.util.LinkedHashMap<>();
        claimStatus.put("enabled", config.delivery().claims().enabled());
        if (claims instanceof RedisDeliveryClaims redis) {
            claimStatus.put("ttl", config.delivery().claims().ttl().toString());
            claimStatus.put("failures", redis.failures());
            redis.lastFailure().ifPresent(failure -> claimStatus.put("lastFailure", failure));
            claimStatus.put("note", redis.failures() == 0 ? "every notification claimed in Redis before delivery"
                    : "Redis could not always be asked: those notifications were delivered without a claim (fail "
                    + "open), so another relay may have delivered them too");
        }
        status.put("claims", claimStatus);
        outbox.recovery().ifPresent(recovery -> status.put("recovered", java.util.Map.of(
                "movedTo", recovery.movedTo().getFileName().toString(), "problem", recovery.problem(),
                "at", recovery.at().toString())));
        return status;
    }

    void stop() {
        log.info("Alert Relay stopping");
        RuntimeException failures = lifecycle.stop();
        if (failures != null) {
            log.warn("Alert Relay stopped with {} failure(s)", failures.getSuppressed().length);
        } else {
            log.info("Alert Relay stopped");
        }
    }
}
