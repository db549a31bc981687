package io.alertrelay.app;

import io.alertrelay.source.redis.RedisProbe;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.ConfigurationException;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.Outcome;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.SinkFactory;
import io.alertrelay.spi.Status;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * {@code check-config FILE [--connect]} and {@code send-test SINK [--config FILE]}: the operator's commands that read a
 * configuration without running the relay (as {@code amtool check-config}).
 *
 * <p>Exit codes: 0 valid (and, with {@code --connect}, everything reachable; a sink that offers no check is reported
 * as not checked, not as a failure) or the test notification delivered; 2 invalid configuration or usage; 1 a
 * connection check failed or the test notification was not delivered.
 */
final class ConfigCommands {
    static final String CHECK_USAGE = """
            Usage: java -jar alert-relay.jar check-config FILE [--connect]
              Validates FILE as the relay would at start (every key, range and limit; environment references
              substituted) and prints every problem under its key. Connects to nothing, unless:
              --connect   also PINGs Redis (each sentinel and the master it names, with Sentinel) and asks each sink
                          that offers a credentials check (e.g. an SMTP login); sends no alert.
              Exit: 0 valid (and reachable with --connect), 2 invalid or usage error, 1 a --connect check failed.
            """;
    static final String SEND_TEST_USAGE = """
            Usage: java -jar alert-relay.jar send-test SINK [--config FILE]
              Sends one notification marked as a test ("[TEST] Alert Relay test notification", severity info, label
              alert-relay-test=true) through the sink sinks.SINK of the configuration (default: the built-in one),
              directly: no Redis, no routes, no outbox, no retry. Prints the sink's answer.
              Exit: 0 delivered, 1 not delivered (the answer says why), 2 invalid configuration, unknown SINK or
              usage error.
            """;
    static final String TEST_LABEL = "alert-relay-test";
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ConfigCommands.class);

    private ConfigCommands() {}

    static int checkConfig(List<String> args, Function<String, String> environment, PrintStream out, PrintStream err) {
        Path file = null;
        boolean connect = false;
        for (String arg : args) {
            switch (arg) {
                case "--help", "-h" -> {
                    out.print(CHECK_USAGE);
                    return Main.EXIT_OK;
                }
                case "--connect" -> connect = true;
                default -> {
                    if (arg.startsWith("-") || file != null) {
                        err.print("check-config: unknown argument " + arg + "\n" + CHECK_USAGE);
                        return Main.EXIT_CONFIG;
                    }
                    file = Path.of(arg);
                }
            }
        }
        if (file == null) {
            err.print("check-config: needs a FILE\n" + CHECK_USAGE);
            return Main.EXIT_CONFIG;
        }
        return check(file, connect, environment, out, err);
    }

    /** Also serves the older {@code --config FILE --check-config}; {@code file} null is the built-in default. */
    static int check(Path file, boolean connect, Function<String, String> environment, PrintStream out,
                     PrintStream err) {
        Clock clock = Clock.systemUTC();
        RelayConfig config;
        try {
            config = parse(file, environment, clock);
        } catch (ConfigurationException e) {
            err.println(e.getMessage());
            return Main.EXIT_CONFIG;
        } catch (IllegalStateException e) {
            err.println("Alert Relay cannot start: " + e.getMessage());
            return Main.EXIT_CONFIG;
        }
        config.warnings().forEach(warning -> err.println("Advice: " + warning));
        err.println("Configuration is valid: " + config.origin() + " (sha256 " + config.hash() + ")");
        if (!connect) {
            return Main.EXIT_OK;
        }
        boolean failed = false;
        for (RedisProbe.Check check : RedisProbe.ping(config.redis())) {
            out.println((check.ok() ? "ok      " : "FAILED  ") + check.target() + ": " + check.detail());
            failed |= !check.ok();
        }
        List<SinkInstance> sinks;
        try {
            sinks = config.createSinks(clock);
        } catch (ConfigurationException e) {
            err.println(e.getMessage());
            return Main.EXIT_FAILURE;
        }
        for (SinkInstance sink : sinks) {
            String target = "sink " + sink.id() + " (" + sink.type() + ")";
            try {
                Optional<DeliveryResult> result = sink.sink().checkConnection();
                if (result.isEmpty()) {
                    out.println("-       " + target + ": not checked (this sink type offers no credentials check)");
                } else if (result.get().outcome() == Outcome.DELIVERED) {
                    out.println("ok      " + target + ": " + result.get().detail());
                } else {
                    out.println("FAILED  " + target + ": " + result.get().outcome() + " " + result.get().detail());
                    failed = true;
                }
            } catch (RuntimeException e) {
                out.println("FAILED  " + target + ": " + e.getClass().getSimpleName());
                failed = true;
            } finally {
                sink.sink().close();
            }
        }
        return failed ? Main.EXIT_FAILURE : Main.EXIT_OK;
    }

    static int sendTest(List<String> args, Function<String, String> environment, PrintStream out, PrintStream err) {
        String sinkId = null;
        Path file = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--help", "-h" -> {
                    out.print(SEND_TEST_USAGE);
                    return Main.EXIT_OK;
                }
                case "--config" -> {
                    if (i + 1 >= args.size()) {
                        err.print("send-test: --config needs a file\n" + SEND_TEST_USAGE);
                        return Main.EXIT_CONFIG;
                    }
                    file = Path.of(args.get(++i));
                }
                default -> {
                    if (arg.startsWith("-") || sinkId != null) {
                        err.print("send-test: unknown argument " + arg + "\n" + SEND_TEST_USAGE);
                        return Main.EXIT_CONFIG;
                    }
                    sinkId = arg;
                }
            }
        }
        if (sinkId == null) {
            err.print("send-test: needs the id of a sink (a key under sinks:)\n" + SEND_TEST_USAGE);
            return Main.EXIT_CONFIG;
        }
        Clock clock = Clock.systemUTC();
        RelayConfig config;
        try {
            config = parse(file, environment, clock);
        } catch (ConfigurationException e) {
            err.println(e.getMessage());
            return Main.EXIT_CONFIG;
        }
        String id = sinkId;
        Optional<SinkSpec> spec = config.sinks().stream().filter(s -> s.id().equals(id)).findFirst();
        if (spec.isEmpty()) {
            err.println("send-test: no sink '" + id + "' in " + config.origin() + "; configured: "
                    + config.sinks().stream().map(SinkSpec::id).toList());
            return Main.EXIT_CONFIG;
        }
        SinkInstance sink;
        try {
            sink = spec.get().create(clock);
        } catch (RuntimeException e) {
            err.println("sinks." + id + ": could not be created: " + e.getClass().getSimpleName());
            return Main.EXIT_FAILURE;
        }
        DeliveryResult result;
        try {
            result = sink.sink().deliver(testAlert(id, clock.instant()));
        } catch (RuntimeException e) {
            result = DeliveryResult.retryable("the sink threw " + e.getClass().getSimpleName());
        } finally {
            sink.sink().close();
        }
        if (result.outcome() == Outcome.DELIVERED) {
            out.println("Test notification delivered through sinks." + id + " (" + sink.type() + ")");
            return Main.EXIT_OK;
        }
        out.println("Test notification NOT delivered through sinks." + id + " (" + sink.type() + "): "
                + result.outcome() + " " + result.detail()
                + result.retryAfter().map(wait -> " (receiver asks to retry after " + wait.toSeconds() + "s)").orElse(""));
        return Main.EXIT_FAILURE;
    }

    /** The test notification: says what it is in its title, summary and labels, so nobody acts on it. */
    static Alert testAlert(String sinkId, Instant at) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(TEST_LABEL, "true");
        labels.put("sink", sinkId);
        String summary = "This is a test sent with `alert-relay send-test " + sinkId + "` to check that notifications "
                + "reach this destination. No action is needed.";
        return new Alert("alert-relay-test-" + UUID.randomUUID(), "[TEST] Alert Relay test notification",
                Status.FIRING, Severity.INFO, Optional.of(summary), labels, Optional.of("alert-relay send-test"),
                Optional.of(at), Map.of(), new Alert.Origin("alert-relay:test", Optional.empty(), at));
    }

    private static RelayConfig parse(Path file, Function<String, String> environment, Clock clock) {
        Map<String, SinkFactory> factories = SinkFactoryLoader.byName(SinkFactoryLoader.serviceLoader().load());
        log.info("Sink types available: {}", factories.keySet());
        ConfigLoader.Loaded loaded = file == null ? ConfigLoader.loadDefault(environment)
                : ConfigLoader.load(file, environment);
        return RelayConfig.parse(loaded, factories, clock);
    }
}
