package io.alertrelay.app;

import io.alertrelay.core.Pipeline;
import io.alertrelay.spi.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running relay: sinks first, the source last; stopped in reverse, draining queued notifications. */
final class Relay {
    private static final Logger log = LoggerFactory.getLogger(Relay.class);

    private final RelayConfig config;
    private final Source source;
    private final Pipeline pipeline;
    private final RelayWatchdog watchdog;
    private final Lifecycle lifecycle = new Lifecycle();

    Relay(RelayConfig config, Source source, Pipeline pipeline, RelayWatchdog watchdog) {
        this.config = config;
        this.source = source;
        this.pipeline = pipeline;
        this.watchdog = watchdog;
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

    void start() throws Exception {
        config.warnings().forEach(warning -> log.warn("Configuration advice: {}", warning));
        watchdog.wire();
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
        lifecycle.start(new Lifecycle.Component() {
            @Override
            public String name() {
                return "watchdog";
            }

            @Override
            public void start() {
                watchdog.start();
            }

            @Override
            public void stop() {
                watchdog.close();
            }
        });
        log.info("Alert Relay running: {}; subscriptions {}; sinks {}", source.describe(), config.subscriptions(),
                config.sinks().stream().map(sink -> sink.id() + " (" + sink.type() + ")").toList());
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
