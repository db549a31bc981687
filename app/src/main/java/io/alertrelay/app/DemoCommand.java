package io.alertrelay.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * {@code alert-relay demo}: a throwaway Redis master, replica and three Sentinels on free loopback ports, the relay
 * (this jar, as a child process) on them with the console sink and the status page, sample alerts, the master killed,
 * and a narration of what happened. Every process it started is stopped at the end, also on Ctrl-C (a shutdown
 * hook), and its temporary directory is deleted. docs/demo in README.md.
 *
 * <p>Exit codes: 0 the story ran as told; 1 a step did not happen in time (the narration says which); 2 no
 * {@code redis-server} on the PATH or no jar to run.
 */
final class DemoCommand {
    static final String USAGE = """
            Usage: java -jar alert-relay.jar demo
              Starts a throwaway Redis master, replica and three Sentinels on free loopback ports (redis-server must be
              on the PATH), runs the relay on them with the console sink and the status page, publishes sample alerts,
              kills the master and tells what the relay saw: failover, subscription moved, nothing lost, blind windows.
              Takes under a minute; stops every process it started, also on Ctrl-C.
            """;
    static final String MASTER_NAME = "demo";
    static final int ALERTS_BEFORE = 5;
    static final int ALERTS_AFTER = 5;
    /** Each step's time limit; the whole demo stays under a minute when Redis and the relay behave. */
    static final Duration STEP = Duration.ofSeconds(20);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final long started = System.nanoTime();
    private Path dir;

    private DemoCommand(PrintStream out) {
        this.out = out;
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        if (!args.isEmpty()) {
            if (args.get(0).equals("--help") || args.get(0).equals("-h")) {
                err.print(USAGE);
                return Main.EXIT_OK;
            }
            err.print("Unknown argument: " + args.get(0) + "\n" + USAGE);
            return Main.EXIT_CONFIG;
        }
        Optional<Path> redis = onPath("redis-server");
        if (redis.isEmpty()) {
            err.println("demo: redis-server is not on the PATH; install it (Debian/Ubuntu: apt-get install redis-server) "
                    + "and run the demo again");
            return Main.EXIT_CONFIG;
        }
        Optional<Path> jar = ownJar();
        if (jar.isEmpty()) {
            err.println("demo: runs from the assembled jar only: java -jar app/target/alert-relay.jar demo");
            return Main.EXIT_CONFIG;
        }
        DemoCommand demo = new DemoCommand(out);
        Thread hook = new Thread(demo::cleanUp, "demo-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return demo.tell(redis.get(), jar.get());
        } catch (DemoFailed e) {
            out.println("demo: FAILED: " + e.getMessage());
            return Main.EXIT_FAILURE;
        } catch (IOException e) {
            out.println("demo: FAILED: " + e);
            return Main.EXIT_FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.EXIT_FAILURE;
        } finally {
            demo.cleanUp();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    private int tell(Path redisServer, Path jar) throws IOException, InterruptedException {
        dir = Files.createTempDirectory("alert-relay-demo-");
        int master = freePort();
        int replica = freePort();
        List<Integer> sentinels = List.of(freePort(), freePort(), freePort());
        int httpPort = freePort();

        Process masterProcess = start("master", redisServer.toString(), "--port", String.valueOf(master),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString());
        Process replicaProcess = start("replica", redisServer.toString(), "--port", String.valueOf(replica),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
                "--replicaof", "127.0.0.1", String.valueOf(master));
        awaitStep("master and replica answer", () -> ping(master) && ping(replica));
        List<Long> sentinelPids = new ArrayList<>();
        for (int port : sentinels) {
            Path conf = dir.resolve("sentinel-" + port + ".conf");
            Files.writeString(conf, """
                    port %d
                    bind 127.0.0.1
                    dir %s
                    sentinel monitor %s 127.0.0.1 %d 2
                    sentinel down-after-milliseconds %s 1000
                    sentinel failover-timeout %s 5000
                    sentinel parallel-syncs %s 1
                    """.formatted(port, dir, MASTER_NAME, master, MASTER_NAME, MASTER_NAME, MASTER_NAME));
            sentinelPids.add(start("sentinel-" + port, redisServer.toString(), conf.toString(), "--sentinel").pid());
        }
        awaitStep("the three Sentinels answer", () -> sentinels.stream().allMatch(DemoCommand::ping));
        say("started Redis master 127.0.0.1:%d (pid %d), replica 127.0.0.1:%d (pid %d) and Sentinels on %s (pids %s)",
                master, masterProcess.pid(), replica, replicaProcess.pid(), sentinels, sentinelPids);

        Path config = dir.resolve("relay.yaml");
        Files.writeString(config, """
                redis:
                  sentinel:
                    master: %s
                    nodes: [%s]
                subscriptions:
                  - pattern: "alerts:*"
                sinks:
                  console:
                    type: console
                watchdog:
                  canary: {interval: 1s, timeout: 1s}
                delivery:
                  dir: %s
                http: {port: %d}
                """.formatted(MASTER_NAME, String.join(", ", sentinels.stream().map(p -> "\"127.0.0.1:" + p + "\"")
                .toList()), dir.resolve("relay-data"), httpPort));
        Path relayOut = dir.resolve("relay.stdout");
        Path relayErr = dir.resolve("relay.stderr");
        Process relay = new ProcessBuilder(javaBinary(), "-Xmx256m", "-jar", jar.toString(), "--config",
                config.toString()).directory(dir.toFile()).redirectOutput(relayOut.toFile())
                .redirectError(relayErr.toFile()).start();
        processes.add(relay);
        String base = "http://127.0.0.1:" + httpPort;
        long relayStart = System.nanoTime();
        awaitStep("the relay is ready (/health/ready 200; log: " + relayErr + ")",
                () -> relay.isAlive() && status(base + "/health/ready") == 200);
        JsonNode status = json(base + "/status");
        say("relay ready after %s: subscription %s on master %s, canaries coming back (pid %d)",
                seconds(relayStart), status.path("redis").path("master").path("state").asText(),
                status.path("redis").path("master").path("node").asText(), relay.pid());
        say("status page: %s/  (open it now to watch the failover)", base);

        for (int i = 1; i <= ALERTS_BEFORE; i++) {
            publish(master, "alerts:demo", alert(i, "before the failover"));
        }
        awaitStep("the console sink prints the first alerts", () -> delivered(relayOut) >= ALERTS_BEFORE);
        say("published %d sample alerts on alerts:demo; the console sink printed %d of %d", ALERTS_BEFORE,
                delivered(relayOut), ALERTS_BEFORE);

        long killed = System.nanoTime();
        masterProcess.destroyForcibly();
        masterProcess.waitFor(5, TimeUnit.SECONDS);
        say("killed the master 127.0.0.1:%d (pid %d, SIGKILL)", master, masterProcess.pid());

        String promoted = "127.0.0.1:" + replica;
        awaitStep("Sentinel promotes the replica", () -> promoted.equals(sentinelMaster(sentinels.get(0))));
        say("failover seen: Sentinel promoted %s after %s", promoted, seconds(killed));
        awaitStep("the relay's subscription moves to " + promoted, () -> {
            JsonNode now = json(base + "/status").path("redis").path("master");
            return promoted.equals(now.path("node").asText()) && now.path("state").asText().equals("VERIFIED");
        });
        say("subscription moved: the relay is VERIFIED on %s, %s after the kill", promoted, seconds(killed));

        for (int i = ALERTS_BEFORE + 1; i <= ALERTS_BEFORE + ALERTS_AFTER; i++) {
            publish(replica, "alerts:demo", alert(i, "after the failover"));
        }
        int total = ALERTS_BEFORE + ALERTS_AFTER;
        awaitStep("every sample alert reaches the console sink", () -> delivered(relayOut) >= total);
        say("nothing lost: %d of %d sample alerts delivered to the console sink (%s)", delivered(relayOut), total,
                relayOut.getFileName());

        JsonNode windows = json(base + "/status").path("blindWindows");
        List<String> reports = new ArrayList<>();
        windows.path("recent").forEach(window -> reports.add(window.path("message").asText()));
        windows.path("open").forEach(window -> reports.add("still open on " + window.path("subscription").asText()
                + " since " + window.path("start").asText() + ": " + window.path("reason").asText()));
        if (reports.isEmpty()) {
            say("blind-window report: none; no interval in which an alert could have gone unheard");
        } else {
            say("blind-window report: %d window(s), each one reported as a relay-health alert, none silent:",
                    reports.size());
            reports.forEach(report -> say("  %s", report));
        }
        say("the story in the relay's own log: %s; ask it yourself next time with `alert-relay blind-windows`",
                relayErr.getFileName());
        int stopped = cleanUp();
        say("cleaned up: stopped %d processes (relay and 5 redis-server), removed %s", stopped, dir);
        say("done in %s", seconds(started));
        return Main.EXIT_OK;
    }

    private static String alert(int n, String when) {
        return "{\"id\":\"demo-" + n + "\",\"title\":\"demo alert " + n + " (" + when + ")\",\"severity\":\"warning\","
                + "\"labels\":{\"service\":\"demo\"}}";
    }

    /** The console sink's lines for the sample alerts (one per alert; a duplicate would count twice). */
    private static long delivered(Path relayOut) {
        try {
            return Files.readAllLines(relayOut, StandardCharsets.UTF_8).stream()
                    .filter(line -> line.contains("demo alert ")).count();
        } catch (IOException e) {
            return 0;
        }
    }

    private void say(String format, Object... args) {
        out.println("demo: " + String.format(format, args));
        out.flush();
    }

    private static String seconds(long sinceNanos) {
        return String.format("%.1f s", (System.nanoTime() - sinceNanos) / 1e9);
    }

    private Process start(String name, String... command) throws IOException {
        Process process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve(name + ".log").toFile()).redirectErrorStream(true).start();
        processes.add(process);
        return process;
    }

    /** Stops what is still running (SIGTERM, then SIGKILL after 10 s) and deletes the directory; how many stopped. */
    private synchronized int cleanUp() {
        int stopped = 0;
        for (Process process : processes) {
            if (process.isAlive()) {
                process.destroy();
            }
        }
        for (Process process : processes) {
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            stopped++;
        }
        processes.clear();
        if (dir != null && Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            } catch (IOException e) {
                // a temp directory left behind is harmless
            }
        }
        return stopped;
    }

    private static void awaitStep(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + STEP.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new DemoFailed(what + ": did not happen within " + STEP.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }

    private int status(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private JsonNode json(String url) {
        try {
            return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2))
                    .build(), HttpResponse.BodyHandlers.ofString()).body());
        } catch (IOException e) {
            return JSON.missingNode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return JSON.missingNode();
        }
    }

    private static boolean ping(int port) {
        try {
            return "PONG".equals(resp(port, "PING"));
        } catch (IOException e) {
            return false;
        }
    }

    private static void publish(int port, String channel, String message) throws IOException {
        resp(port, "PUBLISH", channel, message);
    }

    /** Sentinel's current master for the demo, as host:port, or null. */
    private static String sentinelMaster(int sentinel) {
        try {
            Object reply = resp(sentinel, "SENTINEL", "get-master-addr-by-name", MASTER_NAME);
            return reply instanceof List<?> list && list.size() == 2 ? list.get(0) + ":" + list.get(1) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** One RESP command on a fresh connection; its reply (String, Long, List or null). */
    private static Object resp(int port, String... command) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            socket.setSoTimeout(2_000);
            StringBuilder request = new StringBuilder("*").append(command.length).append("\r\n");
            for (String part : command) {
                request.append('$').append(part.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(part)
                        .append("\r\n");
            }
            OutputStream output = socket.getOutputStream();
            output.write(request.toString().getBytes(StandardCharsets.UTF_8));
            output.flush();
            return read(new BufferedInputStream(socket.getInputStream()));
        }
    }

    private static Object read(InputStream in) throws IOException {
        int type = in.read();
        String line = line(in);
        switch (type) {
            case '+':
                return line;
            case ':':
                return Long.parseLong(line);
            case '-':
                throw new IOException("Redis error: " + line);
            case '$': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                String value = new String(in.readNBytes(length), StandardCharsets.UTF_8);
                line(in);
                return value;
            }
            case '*': {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    items.add(read(in));
                }
                return items;
            }
            default:
                throw new IOException("unexpected RESP reply type " + type);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder text = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\r') {
            text.append((char) c);
        }
        in.read(); // '\n'
        return text.toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static Optional<Path> onPath(String name) {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(entry, name);
            if (!entry.isEmpty() && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static Optional<Path> ownJar() {
        try {
            Path location = Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(location) && location.toString().endsWith(".jar") ? Optional.of(location)
                    : Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A step that did not happen in time. */
    private static final class DemoFailed extends RuntimeException {
        DemoFailed(String message) {
            super(message);
        }
    }
}
