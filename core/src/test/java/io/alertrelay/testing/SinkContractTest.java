package io.alertrelay.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.alertrelay.config.TreeConfigView;
import io.alertrelay.core.DeliveryPolicy;
import io.alertrelay.core.SinkWorker;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.ConfigView;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.Outcome;
import io.alertrelay.spi.Sink;
import io.alertrelay.spi.SinkFactory;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every sink module passes (a TCK, as Micrometer's {@code MeterRegistryCompatibilityKit}). A sink module
 * extends it in its own test directory with a few lines:
 *
 * <pre>{@code
 * final class SlackSinkContractTest extends SinkContractTest {
 *     protected String sinkType() { return "slack"; }
 *     protected Class<? extends SinkFactory> factoryClass() { return SlackSinkFactory.class; }
 *     protected Map<String, Object> minimalConfig() { return Map.of("webhook-url", "https://hooks.slack.com/services/T0/B0/" + TOKEN); }
 *     protected Map<String, Object> configFor(Target target) { ... points at target.host():target.port() ... }
 *     protected List<String> secrets() { return List.of(TOKEN); }
 * }
 * }</pre>
 *
 * <p>It checks, against real loopback sockets ({@link TcpTarget}) and nothing mocked:
 * <ul>
 *   <li>{@link ServiceLoader} finds exactly one factory of {@link #sinkType()}, of {@link #factoryClass()};</li>
 *   <li>the minimal config, and the full one, leave no key unused (what the host would report as unknown);</li>
 *   <li>{@code create} opens no connection;</li>
 *   <li>a second {@code close()} does nothing, and {@code deliver} after {@code close()} returns
 *       {@link Outcome#RETRYABLE} without throwing or connecting (as {@link Sink} documents);</li>
 *   <li>connection refused, a server that never answers (past the sink's timeout) and a server that closes the
 *       connection come back as {@link Outcome#RETRYABLE}, never as an exception;</li>
 *   <li>no log line (every logger, at TRACE), delivery detail, metric label (through the real {@link SinkWorker}) or
 *       {@code toString()} contains any of {@link #secrets()}.</li>
 * </ul>
 *
 * <p>No test bounds how long anything takes; a {@code deliver} that never returns fails after {@link #STUCK} with a
 * message saying the sink ignores its timeout.
 */
public abstract class SinkContractTest {
    /** Only a liveness guard: a sink that honours {@link Target#timeout()} returns long before this. */
    protected static final Duration STUCK = Duration.ofMinutes(2);
    /** The instance id the kit creates its sinks under ({@code sinks.contract-test}). */
    protected static final String INSTANCE = "contract-test";

    /**
     * Where {@link #configFor} must point the sink.
     *
     * @param host    a loopback address literal ({@code 127.0.0.1})
     * @param port    its port
     * @param timeout the longest the sink may wait for the peer in one delivery (set every timeout key to at most this)
     */
    public record Target(String host, int port, Duration timeout) {
        /** {@link #timeout()} in config syntax, e.g. {@code 500ms}. */
        public String timeoutText() {
            return timeout.toMillis() + "ms";
        }
    }

    private final List<Sink> created = new ArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private ExecutorService deliveries;

    /** The factory's {@link SinkFactory#name()}: the {@code type} key in config. */
    protected abstract String sinkType();

    /** The class {@link ServiceLoader} must find for {@link #sinkType()}. */
    protected abstract Class<? extends SinkFactory> factoryClass();

    /** The smallest valid section {@code sinks.<id>} (without {@code type}): the required keys only. */
    protected abstract Map<String, Object> minimalConfig();

    /**
     * A valid section that delivers to {@code target} over plain TCP, waits at most {@link Target#timeout()}, and sets
     * every sensitive key of the sink to a value containing one of {@link #secrets()}.
     */
    protected abstract Map<String, Object> configFor(Target target);

    /** The sensitive values {@link #configFor} configures (tokens, passwords, signing secrets): none may leak. */
    protected abstract List<String> secrets();

    /** The timeout the kit asks for; small, so that the hung-server case is quick. */
    protected Duration timeout() {
        return Duration.ofMillis(500);
    }

    /** The alert the kit delivers. */
    protected Alert alert() {
        return Alerts.diskFull();
    }

    @Test
    void serviceLoaderFindsExactlyThisFactory() {
        List<SinkFactory> named = ServiceLoader.load(SinkFactory.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(factory -> factory.name().equals(sinkType()))
                .toList();

        assertThat(named).as("factories named '%s' on the class path", sinkType())
                .singleElement().isExactlyInstanceOf(factoryClass());
    }

    @Test
    void minimalConfigLeavesNoKeyUnused() {
        TreeConfigView root = root(minimalConfig());

        close(create(view(root)));

        assertThat(root.unusedKeys()).as("keys the host would report as unknown").isEmpty();
    }

    @Test
    void fullConfigLeavesNoKeyUnused() {
        TreeConfigView root = root(configFor(new Target("127.0.0.1", TcpTarget.refusingPort(), timeout())));

        close(create(view(root)));

        assertThat(root.unusedKeys()).as("keys the host would report as unknown").isEmpty();
    }

    @Test
    void createMakesNoNetworkCall() {
        TcpTarget target = target(TcpTarget.Behaviour.HOLD);

        Sink sink = create(target);

        assertThat(target.connectionsSoFar()).as("connections opened by create").isZero();
        close(sink);
        assertThat(target.connectionsSoFar()).as("connections opened by create or close").isZero();
    }

    @Test
    void secondCloseDoesNothingAndDeliverAfterCloseIsRetryableWithoutConnecting() {
        TcpTarget target = target(TcpTarget.Behaviour.HOLD);
        Sink sink = create(target);

        close(sink);
        close(sink);
        DeliveryResult result = deliver(sink);

        assertThat(result.outcome()).as("deliver after close: %s", result).isEqualTo(Outcome.RETRYABLE);
        assertThat(target.connectionsSoFar()).as("connections opened after close").isZero();
        assertNoSecret("detail", result.detail());
    }

    @Test
    void connectionRefusedIsRetryable() {
        Sink sink = create(new Target("127.0.0.1", TcpTarget.refusingPort(), timeout()));

        DeliveryResult result = deliver(sink);

        assertThat(result.outcome()).as("connection refused: %s", result).isEqualTo(Outcome.RETRYABLE);
        assertNoSecret("detail", result.detail());
    }

    @Test
    void serverThatNeverAnswersIsRetryable() {
        TcpTarget target = target(TcpTarget.Behaviour.HOLD);
        Sink sink = create(target);

        DeliveryResult result = deliver(sink);

        assertThat(result.outcome()).as("hung server: %s", result).isEqualTo(Outcome.RETRYABLE);
        assertThat(target.connectionsSoFar()).as("the sink reached the server").isPositive();
        assertNoSecret("detail", result.detail());
    }

    @Test
    void serverThatClosesTheConnectionIsRetryable() {
        TcpTarget target = target(TcpTarget.Behaviour.CLOSE);
        Sink sink = create(target);

        DeliveryResult result = deliver(sink);

        assertThat(result.outcome()).as("connection closed by the server: %s", result).isEqualTo(Outcome.RETRYABLE);
        assertThat(target.connectionsSoFar()).as("the sink reached the server").isPositive();
        assertNoSecret("detail", result.detail());
    }

    @Test
    void noSecretInLogsDetailsMetricLabelsOrToString() throws Exception {
        List<String> texts = new ArrayList<>();
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        try (CapturedLogs logs = CapturedLogs.start()) {
            for (TcpTarget.Behaviour behaviour : TcpTarget.Behaviour.values()) {
                Sink sink = create(target(behaviour));
                texts.add("toString: " + sink);
                DeliveryResult result = deliverThroughWorker(sink, behaviour.name().toLowerCase(java.util.Locale.ROOT),
                        metrics);
                texts.add("detail: " + result.detail());
                texts.add("toString after close: " + sink);
            }
            Sink refused = create(new Target("127.0.0.1", TcpTarget.refusingPort(), timeout()));
            texts.add("detail: " + deliver(refused).detail());
            close(refused);
            texts.add("detail after close: " + deliver(refused).detail());
            texts.addAll(logs.lines());
        }
        for (Meter meter : metrics.getMeters()) {
            for (Tag tag : meter.getId().getTags()) {
                texts.add("metric " + meter.getId().getName() + " label " + tag.getKey() + "=" + tag.getValue());
            }
        }

        assertThat(secrets()).as("secrets() must name at least one value").isNotEmpty().allSatisfy(secret ->
                assertThat(secret).as("a secret short enough to occur by chance").hasSizeGreaterThanOrEqualTo(8));
        assertThat(texts).as("logs, details, metric labels and toString").isNotEmpty();
        texts.forEach(text -> assertNoSecret("output", text));
    }

    /** Fails if {@code text} contains one of {@link #secrets()}; the message does not repeat the secret. */
    protected final void assertNoSecret(String what, String text) {
        for (int i = 0; i < secrets().size(); i++) {
            if (text != null && text.contains(secrets().get(i))) {
                fail(what + " contains secret #" + (i + 1) + " of secrets(): "
                        + text.replace(secrets().get(i), "<SECRET #" + (i + 1) + ">"));
            }
        }
    }

    /** Creates a sink of {@link #sinkType()} (through the factory ServiceLoader finds) aimed at {@code target}. */
    protected final Sink create(Target target) {
        return create(view(root(configFor(target))));
    }

    private Sink create(TcpTarget target) {
        return create(new Target(target.host(), target.port(), timeout()));
    }

    private Sink create(ConfigView view) {
        Sink sink = factory().create(view, TestSinkContext.named(INSTANCE));
        assertThat(sink).as("created sink").isNotNull();
        created.add(sink);
        return sink;
    }

    private SinkFactory factory() {
        return ServiceLoader.load(SinkFactory.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(factory -> factory.name().equals(sinkType()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no SinkFactory named '" + sinkType() + "' on the class path"));
    }

    private static TreeConfigView root(Map<String, Object> section) {
        return TreeConfigView.root(Map.of("sinks", Map.of(INSTANCE, section)));
    }

    private static ConfigView view(TreeConfigView root) {
        return root.section("sinks").section(INSTANCE);
    }

    private TcpTarget target(TcpTarget.Behaviour behaviour) {
        TcpTarget target = TcpTarget.start(behaviour);
        resources.add(target);
        return target;
    }

    /** {@code deliver}, which must return (not throw) a result; run on another thread only to name a stuck sink. */
    private DeliveryResult deliver(Sink sink) {
        if (deliveries == null) {
            deliveries = Executors.newSingleThreadExecutor(runnable -> {
                Thread thread = new Thread(runnable, "contract-deliver");
                thread.setDaemon(true);
                return thread;
            });
        }
        Future<DeliveryResult> future = deliveries.submit(() -> sink.deliver(alert()));
        try {
            DeliveryResult result = future.get(STUCK.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(result).as("deliver returned null").isNotNull();
            return result;
        } catch (ExecutionException e) {
            throw new AssertionError("deliver threw instead of returning a result: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new AssertionError("deliver did not return within " + STUCK + ": the sink ignores its timeout");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * One alert through the real pipeline worker, which closes the sink. One attempt, so the final outcome is logged:
     * a failure waits an hour for its retry, and its max-age (1 s) expires it into a dead letter before that.
     */
    private DeliveryResult deliverThroughWorker(Sink sink, String id, SimpleMeterRegistry metrics) throws Exception {
        DeliveryPolicy policy = new DeliveryPolicy(1, Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(1),
                Duration.ofSeconds(1));
        CompletableFuture<DeliveryResult> outcome = new CompletableFuture<>();
        SinkWorker worker = new SinkWorker(INSTANCE + "-" + id, sinkType(), sink, policy, metrics);
        worker.addOutcomeListener((sinkId, alert, result) -> outcome.complete(result));
        worker.start();
        try {
            assertThat(worker.offer(alert())).isTrue();
            return outcome.get(STUCK.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the worker got no outcome within " + STUCK + ": the sink ignores its timeout");
        } finally {
            worker.close(Duration.ZERO);
        }
    }

    private static void close(Sink sink) {
        sink.close();
    }

    @AfterEach
    void closeEverything() {
        created.forEach(sink -> {
            try {
                sink.close();
            } catch (RuntimeException e) {
                throw new AssertionError("close after close threw: " + e, e);
            }
        });
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        if (deliveries != null) {
            deliveries.shutdownNow();
        }
    }
}
