package io.alertrelay.app;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import io.alertrelay.core.outbox.MvStoreOutbox;
import io.alertrelay.core.outbox.OutboxUnavailableException;
import io.alertrelay.spi.ConfigurationException;
import io.alertrelay.spi.SinkFactory;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.function.Supplier;
import io.alertrelay.core.DeliveryClaims;
import io.alertrelay.core.Pipeline;
import io.alertrelay.spi.SubscriptionRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar alert-relay.jar [--config FILE] [--check-config]}, and the commands {@code check-config},
 * {@code send-test}, {@code status}, {@code blind-windows}, {@code dead-letters} (each with {@code --help}); see
 * {@code docs/cli.md}.
 *
 * <p>Exit codes: 0 stopped normally (SIGTERM/SIGINT) or config valid with {@code --check-config}; 2 invalid
 * configuration or usage, or {@code delivery.dir} held by another relay; 1 failure while starting (or a failed
 * {@code --connect} check, an undelivered {@code send-test}, an unreachable relay for {@code status}).
 */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    static final int EXIT_OK = 0;
    static final int EXIT_FAILURE = 1;
    static final int EXIT_CONFIG = 2;

    private static final String USAGE = """
            Usage: java -jar alert-relay.jar [--config FILE] [--check-config]
                   java -jar alert-relay.jar check-config FILE [--connect]
                   java -jar alert-relay.jar send-test SINK [--config FILE]
                   java -jar alert-relay.jar blind-windows|status [--url http://127.0.0.1:9464]
                   java -jar alert-relay.jar dead-letters list|show|retry|purge ... [--url http://127.0.0.1:9464]
                   java -jar alert-relay.jar demo
                   java -jar alert-relay.jar silence add|list|expire ... [--url http://127.0.0.1:9464]
              --config FILE    YAML configuration (see docs/configuration.md); ${NAME} and ${NAME:-default} are
                               substituted from the environment. Without it: the local default (Redis at
                               127.0.0.1:6379, pattern alerts:*, console sink). SIGHUP reloads it (docs/configuration.md).
              --check-config   validate the configuration, print the problems, and exit (0 valid, 2 invalid).
              check-config     the same for FILE; --connect also PINGs Redis and checks sink credentials.
              send-test        send one notification marked as a test through one sink of the configuration.
              blind-windows    ask a running relay which intervals alerts may not have been delivered in.
              status           ask a running relay for its subscriptions, canaries, sinks and live configuration.
              dead-letters     list, show, re-drive or purge a running relay's dead letters (dead-letters --help).
              demo             a throwaway master, replica and Sentinels, the master killed, what the relay saw
                               (redis-server on the PATH; under a minute; demo --help).
              silence          add, list or expire a running relay's silences (silence --help).
              Every command takes --help. Exit codes: 0 ok, 1 failure, 2 invalid configuration or usage.
            """;

    private Main() {}

    public static void main(String[] args) {
        int code = run(args, System.getenv()::get, stderr());
        if (code != EXIT_OK) {
            System.exit(code);
        }
    }

    @SuppressWarnings("SystemOut") // usage and config errors are for the person at the terminal
    private static PrintStream stderr() {
        return System.err;
    }

    @SuppressWarnings("SystemOut") // the status commands' output is for the person at the terminal
    private static PrintStream stdout() {
        return System.out;
    }

    /**
     * SIGTERM and SIGINT are the normal way to stop the relay: they exit with 0 (through {@link System#exit}, which
     * runs the shutdown hook that stops the relay), not the JVM's default 143/130, so service managers see a clean
     * stop. Where the JDK does not offer these signals the default behaviour stays.
     */
    @SuppressWarnings("sunapi")
    private static void exitZeroOnSignals() {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> System.exit(EXIT_OK));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                log.debug("Signal {} not handled here: {}", name, e.getMessage());
            }
        }
    }

    /** {@code logging.format: json} from here on; a bad value is reported with the other problems by the parse. */
    private static void applyLoggingFormat(ConfigLoader.Loaded loaded) {
        try {
            LoggingConfig.from(loaded.root()).apply();
        } catch (ConfigurationException e) {
            // RelayConfig.parse reports it, keyed, with everything else
        }
    }

    /** SIGHUP reloads the configuration file, on a thread of its own (reloads run one at a time). */
    @SuppressWarnings("sunapi")
    private static void reloadOnHangUp(Reloader reloader) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
                Thread thread = new Thread(() -> reloader.reload("SIGHUP"), "reload");
                thread.setDaemon(true);
                thread.start();
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            log.warn("SIGHUP cannot be handled here ({}); reload with POST {}", e.getMessage(), ReloadRoute.PATH);
        }
    }

    static int run(String[] args, Function<String, String> environment, PrintStream err) {
        if (args.length > 0 && args[0].equals("demo")) {
            return DemoCommand.run(java.util.List.of(args).subList(1, args.length), stdout(), err);
        }
        if (args.length > 0 && args[0].equals("dead-letters")) {
            if (args.length > 1 && (args[1].equals("--help") || args[1].equals("-h"))) {
                err.print(DeadLettersCommand.USAGE);
                return EXIT_OK;
            }
            return DeadLettersCommand.run(java.util.List.of(args).subList(1, args.length), stdout(), err);
        }
        if (args.length > 0 && args[0].equals("silence")) {
            if (args.length > 1 && (args[1].equals("--help") || args[1].equals("-h"))) {
                err.print(SilenceCommand.USAGE);
                return EXIT_OK;
            }
            return SilenceCommand.run(java.util.List.of(args).subList(1, args.length), environment, stdout(), err);
        }
        if (args.length > 0 && args[0].equals("check-config")) {
            return ConfigCommands.checkConfig(java.util.List.of(args).subList(1, args.length), environment, stdout(), err);
        }
        if (args.length > 0 && args[0].equals("send-test")) {
            return ConfigCommands.sendTest(java.util.List.of(args).subList(1, args.length), environment, stdout(), err);
        }
        if (args.length > 0 && (args[0].equals("blind-windows") || args[0].equals("status"))) {
            if (args.length == 2 && (args[1].equals("--help") || args[1].equals("-h"))) {
                stdout().print(StatusCommand.usage(args[0]));
                return EXIT_OK;
            }
            String url = StatusCommand.DEFAULT_URL;
            if (args.length == 3 && args[1].equals("--url")) {
                url = args[2].endsWith("/") ? args[2].substring(0, args[2].length() - 1) : args[2];
            } else if (args.length != 1) {
                err.print(USAGE);
                return EXIT_CONFIG;
            }
            return StatusCommand.run(args[0], url, stdout(), err);
        }
        Path configFile = null;
        boolean checkOnly = false;
        boolean connect = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        err.print("--config needs a file\n" + USAGE);
                        return EXIT_CONFIG;
                    }
                    configFile = Path.of(args[++i]);
                }
                case "--check-config" -> checkOnly = true;
                case "--connect" -> connect = true;
                case "--help", "-h" -> {
                    err.print(USAGE);
                    return EXIT_OK;
                }
                default -> {
                    err.print("Unknown argument: " + args[i] + "\n" + USAGE);
                    return EXIT_CONFIG;
                }
            }
        }

        if (checkOnly) {
            return ConfigCommands.check(configFile, connect, environment, stdout(), err);
        }

        Clock clock = Clock.systemUTC();
        RelayConfig config;
        Map<String, SinkFactory> factories;
        Path file = configFile;
        Supplier<ConfigLoader.Loaded> loader = () -> file == null ? ConfigLoader.loadDefault(environment)
                : ConfigLoader.load(file, environment);
        ConfigLoader.Loaded loaded;
        try {
            factories = SinkFactoryLoader.byName(SinkFactoryLoader.serviceLoader().load());
            log.info("Sink types available: {}", factories.keySet());
            loaded = loader.get();
            applyLoggingFormat(loaded);
            config = RelayConfig.parse(loaded, factories, clock);
        } catch (ConfigurationException e) {
            err.println(e.getMessage());
            return EXIT_CONFIG;
        } catch (IllegalStateException e) {
            err.println("Alert Relay cannot start: " + e.getMessage());
            return EXIT_CONFIG;
        }
        log.info("{}", config.describe());

        List<SinkInstance> sinks;
        try {
            sinks = config.createSinks(clock);
        } catch (ConfigurationException e) {
            err.println(e.getMessage());
            return EXIT_CONFIG;
        }
        List<String> refused = verifySinks(sinks);
        if (!refused.isEmpty()) {
            err.println(new ConfigurationException(refused).getMessage());
            sinks.forEach(sink -> sink.sink().close());
            return EXIT_CONFIG;
        }

        MvStoreOutbox outbox;
        try {
            outbox = MvStoreOutbox.open(config.delivery().dir(), config.delivery().flushInterval(), clock);
        } catch (OutboxUnavailableException e) {
            err.println("Alert Relay cannot start: " + e.getMessage());
            sinks.forEach(sink -> sink.sink().close());
            return EXIT_CONFIG;
        }
        sinks.forEach(sink -> sink.state().bind(outbox.sinkState(sink.id())));
        log.info("Outbox: {} ({} notification(s) pending, {} dead letter(s))",
                config.delivery().dir().toAbsolutePath().normalize(),
                outbox.sinkIds().stream().mapToLong(outbox::pendingCount).sum(),
                outbox.sinkIds().stream().mapToLong(outbox::deadLetterCount).sum());

        Injector injector = Guice.createInjector(Stage.PRODUCTION, new AppModule(config, clock, outbox, sinks));
        Relay relay = injector.getInstance(Relay.class);
        Reloader reloader = new Reloader(loader, factories, clock, config, loaded.tree(),
                injector.getInstance(Pipeline.class), injector.getInstance(SubscriptionRegistry.class), outbox,
                injector.getInstance(DeliveryClaims.class), injector.getInstance(MeterRegistry.class),
                relay.watchdog()::sinksChanged);
        relay.watchdog().setConfigStatus(reloader::status);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            relay.stop();
            stopped.countDown();
        }, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        exitZeroOnSignals();
        try {
            relay.start();
        } catch (Exception e) {
            // the cause's message names the setting (e.g. "http.port: 9464 is in use"); the trace is for debugging
            Throwable cause = e instanceof java.io.UncheckedIOException && e.getCause() != null ? e.getCause() : e;
            log.error("Alert Relay failed to start: {}", cause.getMessage());
            log.debug("Start-up failure", e);
            return EXIT_FAILURE;
        }
        relay.watchdog().http().ifPresent(http -> http.addRoute(ReloadRoute.PATH, new ReloadRoute(reloader::reload,
                http.address().getAddress().isLoopbackAddress(), config.httpToken())));
        reloadOnHangUp(reloader);
        try {
            stopped.await(); // until SIGTERM/SIGINT runs the hook
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return EXIT_OK;
    }

    /**
     * Each sink's start-up check of its credentials ({@link io.alertrelay.spi.Sink#verify}), e.g. Slack's
     * {@code auth.test}: the problems of those the receiver refused, each naming its key. A sink that throws anything
     * else is logged and starts (the pipeline retries its deliveries).
     */
    static List<String> verifySinks(List<SinkInstance> sinks) {
        List<String> problems = new java.util.ArrayList<>();
        for (SinkInstance sink : sinks) {
            try {
                sink.sink().verify();
            } catch (ConfigurationException e) {
                problems.addAll(e.problems());
            } catch (RuntimeException e) {
                log.warn("sinks.{}: start-up check failed ({}); starting anyway, deliveries will be retried", sink.id(),
                        e.getClass().getSimpleName());
            }
        }
        return problems;
    }
}
