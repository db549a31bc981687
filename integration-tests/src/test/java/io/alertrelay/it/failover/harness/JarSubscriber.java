package io.alertrelay.it.failover.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.alertrelay.source.redis.NodeRole;
import io.alertrelay.source.redis.SourceStatus;
import io.alertrelay.source.redis.SubscriptionState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.net.ServerSocketFactory;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * The relay as it ships: the assembled jar ({@code app/target/alert-relay.jar}, or the {@code alertrelay.jar} system
 * property) started as a child process with the watchdog at its defaults, subscribed to {@code alerts:*} on the
 * {@link Target}, delivering through one Slack sink to an OkHttp {@link MockWebServer} in this JVM that stands in for
 * the webhook. Every webhook POST whose fallback text is {@code [FIRING] [<severity>] seq A-123} (the harness's
 * {@link Alert} title) is recorded in the {@link DeliveryLog}; anything else (relay-health alerts: blind windows, canary
 * failures) is counted as other. Canaries never reach the sink: the pipeline absorbs them.
 *
 * <p>Its {@link StatusTimeline} is {@code /status}'s {@code redis.master}, polled every 100 ms over HTTP (the relay
 * listens on a free port, {@code http: {port: 0}}, found in its log). {@link #blindWindows()} reads
 * {@code /status}'s {@code blindWindows}. The relay's stdout and stderr stay in {@link #workDir()} after the run.
 *
 * <p>Config written (sentinel target; a standalone one gets {@code url: redis://host:port} instead):
 * <pre>
 * redis:
 *   sentinel: {master: mymaster, nodes: ["127.0.0.1:26379", ...]}
 * subscriptions:
 *   - pattern: "alerts:*"
 * sinks:
 *   failover-slack: {type: slack, webhook-url: ${SLACK_WEBHOOK_URL}, rate: unlimited}
 * routes:
 *   - sinks: [failover-slack]
 * http: {port: 0}
 * </pre>
 */
public final class JarSubscriber extends Subscriber {
    /** System property: the assembled jar to run. */
    public static final String JAR_PROPERTY = "alertrelay.jar";
    /** System property: where each run's directory (config, relay.stdout, relay.stderr) goes. */
    public static final String WORK_DIR_PROPERTY = "alertrelay.failover.workdir";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("Health and metrics on http://[^:\\s]+:(\\d+)");
    private static final Pattern SLACK_TEXT = Pattern.compile("\\[FIRING] \\[[a-z]+] seq ([A-Za-z]+)-(\\d+)");
    private static final String WEBHOOK_PATH = "/services/T0000/B0000/FAILOVERTOKEN";
    private static final Duration POLL = Duration.ofMillis(100);

    private final StatusTimeline timeline = new StatusTimeline();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final AtomicLong otherPosts = new AtomicLong();
    private final AtomicLong statusErrors = new AtomicLong();
    private final List<String> otherTitles = new java.util.concurrent.CopyOnWriteArrayList<>();
    private MockWebServer slack;
    private Process process;
    private Path workDir;
    private int port;
    private Thread poller;
    private volatile boolean polling = true;
    private volatile JsonNode latest;

    JarSubscriber() {
        super("jar");
    }

    /** The jar the runs start: {@value #JAR_PROPERTY}, else {@code app/target/alert-relay.jar} seen from here. */
    public static Path jarPath() {
        String configured = System.getProperty(JAR_PROPERTY);
        List<Path> candidates = configured != null && !configured.isBlank() ? List.of(Path.of(configured))
                : List.of(Path.of("../app/target/alert-relay.jar"), Path.of("app/target/alert-relay.jar"));
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate)) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("assembled jar not found at " + candidates.stream().map(p ->
                p.toAbsolutePath().normalize().toString()).collect(Collectors.joining(" or "))
                + "; build it (./mvnw -q -B package -DskipTests) or pass -D" + JAR_PROPERTY + "=...");
    }

    @Override
    public void start(Target target) {
        start(config(target));
    }

    /** Starts the jar with {@code config} (a whole relay.yaml; see {@link #config(String)}) instead of a target's. */
    public void start(String relayYaml) {
        try {
            slack = new MockWebServer();
            // without TCP_NODELAY the stand-in's response waits for the client's delayed ACK (about 25-40 ms per POST
            // on Linux loopback), and one Slack sink, one POST at a time, could not keep up with 1,000 alerts/s
            slack.setServerSocketFactory(new NoDelayServerSocketFactory());
            slack.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    record(request.getBody().readUtf8());
                    return new MockResponse().setResponseCode(200).setBody("ok");
                }
            });
            slack.start(InetAddress.getLoopbackAddress(), 0);

            String base = System.getProperty(WORK_DIR_PROPERTY, "target/failover-jar");
            workDir = Path.of(base, "run-" + System.currentTimeMillis() + "-" + ProcessHandle.current().pid())
                    .toAbsolutePath();
            Files.createDirectories(workDir);
            Path config = workDir.resolve("relay.yaml");
            Files.writeString(config, relayYaml, StandardCharsets.UTF_8);
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-jar", jarPath().toString(), "--config", config.toString());
            ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectOutput(workDir.resolve("relay.stdout").toFile())
                    .redirectError(workDir.resolve("relay.stderr").toFile());
            builder.environment().put("SLACK_WEBHOOK_URL", "http://127.0.0.1:" + slack.getPort() + WEBHOOK_PATH);
            process = builder.start();
            Process started = process;
            Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
            port = awaitPort(Duration.ofSeconds(30));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        poller = new Thread(this::poll, "jar-status-poller");
        poller.setDaemon(true);
        poller.start();
    }

    static String config(Target target) {
        String redis = target.isSentinel()
                ? "  sentinel:\n    master: " + target.masterName() + "\n    nodes: [" + target.sentinelAddresses().stream()
                        .map(a -> "\"" + a + "\"").collect(Collectors.joining(", ")) + "]\n"
                : "  url: redis://" + target.initialMaster() + "\n";
        return config(redis);
    }

    /** The suite's relay.yaml around {@code redisSection} (the indented lines under {@code redis:}). */
    public static String config(String redisSection) {
        return "redis:\n" + redisSection + """
                subscriptions:
                  - pattern: "alerts:*"
                sinks:
                  failover-slack:
                    type: slack
                    webhook-url: ${SLACK_WEBHOOK_URL}
                    rate: unlimited   # one message per alert: the suite judges each alert by its own message
                routes:
                  - sinks: [failover-slack]
                http: {port: 0}
                """;
    }

    private void record(String body) {
        String text;
        try {
            text = JSON.readTree(body).path("text").asText("");
        } catch (IOException e) {
            text = "";
        }
        Matcher matcher = SLACK_TEXT.matcher(text);
        if (matcher.matches()) {
            log.record(new Alert(matcher.group(1), Long.parseLong(matcher.group(2))), "slack");
        } else {
            log.recordOther();
            otherPosts.incrementAndGet();
            if (otherTitles.size() < 20) {
                otherTitles.add(text);
            }
        }
    }

    private int awaitPort(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher matcher = LISTENING.matcher(read("relay.stderr"));
            if (matcher.find()) {
                return Integer.parseInt(matcher.group(1));
            }
            if (!process.isAlive()) {
                throw new AssertionError("the relay jar exited with " + process.exitValue() + " at start-up; stderr:\n"
                        + read("relay.stderr") + "\nstdout:\n" + read("relay.stdout"));
            }
            FaultScenario.sleep(Duration.ofMillis(50));
        }
        throw new AssertionError("the relay jar did not log its HTTP port within " + timeout + "; stderr:\n"
                + read("relay.stderr"));
    }

    private void poll() {
        while (polling) {
            try {
                JsonNode status = status();
                latest = status;
                timeline.observe(masterStatus(status.path("redis").path("master")));
            } catch (RuntimeException e) {
                statusErrors.incrementAndGet();
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** GET /status now. */
    JsonNode status() {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status"))
                    .timeout(Duration.ofSeconds(3)).GET().build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** {@code redis.master} of /status as the {@link SourceStatus} the in-process relay would report. */
    static SourceStatus masterStatus(JsonNode master) {
        String node = master.path("node").isTextual() ? master.path("node").asText() : null;
        NodeRole role;
        try {
            role = NodeRole.valueOf(master.path("role").asText("UNKNOWN"));
        } catch (IllegalArgumentException e) {
            role = NodeRole.UNKNOWN;
        }
        return new SourceStatus(SubscriptionState.valueOf(master.path("state").asText()), Optional.ofNullable(node),
                Instant.parse(master.path("since").asText()), master.path("reason").asText(""),
                master.path("resubscribeCount").asLong(), Set.of(), role);
    }

    /** Server sockets whose accepted connections have TCP_NODELAY set. */
    private static final class NoDelayServerSocketFactory extends ServerSocketFactory {
        @Override
        public ServerSocket createServerSocket() throws IOException {
            return new ServerSocket() {
                @Override
                public Socket accept() throws IOException {
                    Socket socket = super.accept();
                    socket.setTcpNoDelay(true);
                    return socket;
                }
            };
        }

        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            ServerSocket socket = createServerSocket();
            socket.bind(new InetSocketAddress(port));
            return socket;
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog) throws IOException {
            ServerSocket socket = createServerSocket();
            socket.bind(new InetSocketAddress(port), backlog);
            return socket;
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
            ServerSocket socket = createServerSocket();
            socket.bind(new InetSocketAddress(address, port), backlog);
            return socket;
        }
    }

    @Override
    public Optional<StatusTimeline> statusTimeline() {
        return Optional.of(timeline);
    }

    /** /health/ready's verdict as last polled: the master VERIFIED and a canary back within ready-canary-age. */
    @Override
    boolean ready() {
        JsonNode status = latest;
        return status != null && status.path("ready").path("ready").asBoolean(false);
    }

    /**
     * Waits until every sink queue is empty and nothing new arrived for 500 ms, then, while {@code /status} shows an
     * open blind window, until it closes (the watchdog publishes a canary right after a resubscription, else every
     * {@code watchdog.canary.interval}); both bounded by {@code max}.
     */
    @Override
    void awaitDrained(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        long lastTotal = -1;
        long stableSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long total = log.total();
            if (total != lastTotal) {
                lastTotal = total;
                stableSince = System.nanoTime();
            }
            boolean queuesEmpty = false;
            try {
                queuesEmpty = queueDepth(status()) == 0;
            } catch (RuntimeException ignored) {
                // try again
            }
            if (queuesEmpty && System.nanoTime() - stableSince > Duration.ofMillis(500).toNanos()) {
                break;
            }
            FaultScenario.sleep(Duration.ofMillis(100));
        }
        while (System.nanoTime() < deadline) {
            try {
                if (status().path("blindWindows").path("open").isEmpty()) {
                    return;
                }
            } catch (RuntimeException ignored) {
                // try again
            }
            FaultScenario.sleep(Duration.ofMillis(200));
        }
    }

    /**
     * Injects the fault about 500 ms before the watchdog's next canary round (from {@code /status}'s
     * {@code canary.lastPublishedAt} + {@code interval}), so that a round is always published while the fault is on:
     * canaries that cannot be published, or come back on only some nodes, are part of every jar run, not left to chance.
     */
    @Override
    void beforeFault() {
        try {
            JsonNode canary = status().path("canary");
            Duration interval = Duration.parse(canary.path("interval").asText("PT10S"));
            if (!canary.path("lastPublishedAt").isTextual()) {
                return;
            }
            Instant injectAt = Instant.parse(canary.path("lastPublishedAt").asText()).plus(interval).minusMillis(500);
            Duration wait = Duration.between(Instant.now(), injectAt);
            if (!wait.isNegative() && wait.compareTo(interval) <= 0) {
                FaultScenario.sleep(wait);
            }
        } catch (RuntimeException e) {
            // no alignment: the fault goes in now
        }
    }

    /**
     * Waits (publishers still running) until a canary round published after {@code faultOver} has been judged: its
     * timeout passed, plus 500 ms. So every jar run includes the watchdog's first verdict on the new topology (after a
     * graceful failover the old master answers ROLE master for about 10 s; issue 7's false SUSPECTs and the
     * resubscriptions they caused happened there). Bounded by interval + timeout + 2 s.
     */
    @Override
    void afterFault(Instant faultOver) {
        Duration interval = Duration.ofSeconds(10);
        Duration timeout = Duration.ofSeconds(3);
        Instant firstRound = null;
        long deadline = System.nanoTime() + interval.plus(timeout).plusSeconds(2).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                JsonNode canary = status().path("canary");
                interval = Duration.parse(canary.path("interval").asText("PT10S"));
                timeout = Duration.parse(canary.path("timeout").asText("PT3S"));
                if (firstRound == null && canary.path("lastPublishedAt").isTextual()) {
                    Instant last = Instant.parse(canary.path("lastPublishedAt").asText());
                    if (!last.isBefore(faultOver)) {
                        firstRound = last;
                    }
                }
            } catch (RuntimeException ignored) {
                // try again
            }
            if (firstRound != null && Instant.now().isAfter(firstRound.plus(timeout).plusMillis(500))) {
                return;
            }
            FaultScenario.sleep(Duration.ofMillis(100));
        }
    }

    private static long queueDepth(JsonNode status) {
        long depth = 0;
        for (JsonNode sink : status.path("sinks")) {
            depth += sink.path("queueDepth").asLong();
        }
        return depth;
    }

    @Override
    Optional<List<ReportedWindow>> blindWindows() {
        Instant readAt = Instant.now();
        return Optional.of(ReportedWindow.fromStatus(status(), readAt));
    }

    /** What to look at when a run fails: the run's directory, other POSTs, and the relay's WARN/ERROR and state lines. */
    @Override
    List<String> diagnostics() {
        List<String> lines = new ArrayList<>();
        lines.add("relay jar " + jarPath() + ", run directory " + workDir + " (relay.yaml, relay.stderr, relay.stdout); "
                + otherPosts.get() + " other webhook POSTs " + otherTitles + "; " + statusErrors.get()
                + " failed /status polls");
        List<String> interesting = read("relay.stderr").lines()
                .filter(l -> l.contains(" WARN ") || l.contains(" ERROR ") || l.contains(" -> ")
                        || l.contains("blind window") || l.contains("resubscrib"))
                .toList();
        int from = Math.max(0, interesting.size() - 60);
        if (from > 0) {
            lines.add("(" + from + " earlier lines omitted)");
        }
        lines.addAll(interesting.subList(from, interesting.size()));
        return lines;
    }

    public Path workDir() {
        return workDir;
    }

    private String read(String file) {
        try {
            Path path = workDir.resolve(file);
            return Files.exists(path) ? Files.readString(path, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        polling = false;
        if (poller != null) {
            poller.interrupt();
        }
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        if (slack != null) {
            try {
                slack.shutdown();
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
