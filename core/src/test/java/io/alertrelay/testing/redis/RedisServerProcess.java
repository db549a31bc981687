package io.alertrelay.testing.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One real {@code redis-server} process (a data node or, with {@link Builder#sentinel}, a Sentinel) on a free loopback
 * port, for tests. JDK only.
 *
 * <pre>{@code
 * try (RedisServerProcess redis = RedisServerProcess.startStandalone()) {
 *     redis.command("PUBLISH", "alerts:x", "{}");
 *     redis.restart();                       // same port
 * }
 * }</pre>
 *
 * <p>Data nodes run with {@code --save "" --appendonly no --bind 127.0.0.1 --port P --dir <temp dir> --logfile
 * <temp dir>/redis-P.log}. {@link #start()} returns once the server answers PING; a port taken in the meantime is
 * retried with another one. Every started process is also killed by a JVM shutdown hook, so a crashed test run leaves
 * nothing behind. The temp directory is deleted by {@link #close()} unless {@code -Dalertrelay.redis.keep-dirs=true}.
 *
 * <p>Thread-safe (methods are synchronized, except {@link #command}, which opens its own connection).
 */
public final class RedisServerProcess implements AutoCloseable {
    public static final String HOST = "127.0.0.1";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "redis-fixture-shutdown"));
    }

    private final List<List<String>> directives;
    private final RedisServerProcess replicaOf;
    private final List<String> sentinelConfig;
    private Path dir;
    private int port;
    private Process process;
    private boolean paused;
    private boolean closed;

    private RedisServerProcess(Builder builder) {
        this.port = builder.port;
        this.directives = List.copyOf(builder.directives);
        this.replicaOf = builder.replicaOf;
        this.sentinelConfig = builder.sentinelConfig == null ? null : List.copyOf(builder.sentinelConfig);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A standalone master with the default settings, started. */
    public static RedisServerProcess startStandalone() {
        return builder().start();
    }

    /**
     * Starts the process and waits until it answers PING. The first start picks a free port; later starts (after
     * {@link #stop()}, {@link #kill()}) reuse it, waiting while it is still taken.
     */
    public synchronized RedisServerProcess start() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name() + " is already running");
        }
        boolean fixedPort = port != 0;
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        int attempts = 0;
        while (true) {
            attempts++;
            if (!fixedPort) {
                port = FreePorts.pick();
            }
            launch();
            String failure = awaitReady(deadline);
            if (failure == null) {
                return this;
            }
            boolean bindFailure = logTail(50).contains("Address already in use");
            forceStop();
            if (!bindFailure || System.nanoTime() > deadline || (!fixedPort && attempts >= 5)) {
                throw new IllegalStateException(name() + " did not start: " + failure + "\n--- " + logFile()
                        + " (tail) ---\n" + logTail(30));
            }
            if (fixedPort) {
                sleep(Duration.ofMillis(200));
            }
        }
    }

    /** Graceful stop (SIGTERM, resuming a paused process first); SIGKILL after 10 s. Idempotent. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        if (paused) {
            resume();
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        forget();
    }

    /** SIGKILL: the process dies at once, without closing its connections gracefully. */
    public synchronized void kill() {
        forceStop();
    }

    /** SIGSTOP: the process freezes; its sockets stay open and send nothing (no reset), like a hung host. */
    public synchronized void pause() {
        requireRunning();
        signal("STOP");
        paused = true;
    }

    /** SIGCONT: undoes {@link #pause()}. */
    public synchronized void resume() {
        requireRunning();
        signal("CONT");
        paused = false;
    }

    /** {@link #stop()} then {@link #start()} on the same port (and, for a Sentinel, its rewritten config). */
    public synchronized RedisServerProcess restart() {
        stop();
        return start();
    }

    /** Sends one command on a fresh connection and returns the reply as text ({@link RespClient#toText}). */
    public String command(String... args) {
        return RespClient.toText(call(args));
    }

    /** Sends one command on a fresh connection and returns the raw reply ({@link RespClient#call}). */
    public Object call(String... args) {
        try (RespClient client = client()) {
            return client.call(args);
        }
    }

    /** A new connection to this server (5 s timeouts); the caller closes it. */
    public RespClient client() {
        return RespClient.connect(HOST, port(), COMMAND_TIMEOUT);
    }

    public synchronized int port() {
        if (port == 0) {
            throw new IllegalStateException("not started yet");
        }
        return port;
    }

    public String host() {
        return HOST;
    }

    /** {@code 127.0.0.1:port}. */
    public String address() {
        return HOST + ":" + port();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    public synchronized boolean isPaused() {
        return paused;
    }

    public boolean isSentinel() {
        return sentinelConfig != null;
    }

    public synchronized long pid() {
        requireRunning();
        return process.pid();
    }

    /** The server's log file ({@code <dir>/redis-P.log} or {@code sentinel-P.log}). */
    public synchronized Path logFile() {
        return dir.resolve((isSentinel() ? "sentinel-" : "redis-") + port + ".log");
    }

    /** The temp directory holding logs and (for a Sentinel) its config file. */
    public synchronized Path dir() {
        return dir;
    }

    /** The last {@code lines} lines of the log (and of the captured stdout/stderr), for failure messages. */
    public synchronized String logTail(int lines) {
        if (dir == null) {
            return "";
        }
        StringBuilder tail = new StringBuilder();
        for (Path file : List.of(logFile(), dir.resolve("stdout-" + port + ".txt"))) {
            if (Files.exists(file)) {
                try {
                    List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
                    all.subList(Math.max(0, all.size() - lines), all.size()).forEach(l -> tail.append(l).append('\n'));
                } catch (IOException | UncheckedIOException e) {
                    tail.append("(cannot read ").append(file).append(": ").append(e.getMessage()).append(")\n");
                }
            }
        }
        return tail.toString();
    }

    /** Stops the process and deletes its temp directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            stop();
        } finally {
            closed = true;
            if (dir != null && !Boolean.getBoolean("alertrelay.redis.keep-dirs")) {
                deleteRecursively(dir);
            }
        }
    }

    @Override
    public synchronized String toString() {
        return name() + (process == null ? " (stopped)" : paused ? " (paused)" : "");
    }

    private String name() {
        return (isSentinel() ? "sentinel " : "redis-server ") + HOST + ":" + port;
    }

    private void launch() {
        try {
            if (dir == null) {
                dir = Files.createTempDirectory("alert-relay-redis-");
            }
            List<String> command = new ArrayList<>();
            command.add(RedisBinaries.require().toString());
            if (isSentinel()) {
                Path config = dir.resolve("sentinel-" + port + ".conf");
                if (!Files.exists(config)) {
                    List<String> lines = new ArrayList<>(List.of(
                            "port " + port, "bind " + HOST, "daemonize no", "dir " + dir, "logfile " + logFile()));
                    lines.addAll(sentinelConfig);
                    Files.write(config, lines, StandardCharsets.UTF_8);
                }
                command.add(config.toString());
                command.add("--sentinel");
            } else {
                command.addAll(List.of("--port", String.valueOf(port), "--bind", HOST, "--save", "", "--appendonly",
                        "no", "--daemonize", "no", "--dir", dir.toString(), "--logfile", logFile().toString()));
                if (replicaOf != null) {
                    command.addAll(List.of("--replicaof", HOST, String.valueOf(replicaOf.port())));
                }
                for (List<String> directive : directives) {
                    command.add("--" + directive.get(0));
                    command.addAll(directive.subList(1, directive.size()));
                }
            }
            Path stdout = dir.resolve("stdout-" + port + ".txt");
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(stdout.toFile()))
                    .start();
            LIVE.add(process);
            paused = false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server: " + e.getMessage(), e);
        }
    }

    /** Null when PING answered, else why not. */
    private String awaitReady(long deadlineNanos) {
        String last = "no answer";
        while (System.nanoTime() < deadlineNanos) {
            if (!process.isAlive()) {
                return "process exited with status " + process.exitValue();
            }
            try (RespClient client = RespClient.connect(HOST, port, Duration.ofMillis(500))) {
                String reply = client.command("PING");
                // the port may have been taken by another server meanwhile: make sure the answer is ours
                if ("PONG".equals(reply)
                        && client.command("INFO", "server").contains("process_id:" + process.pid() + "\r\n")) {
                    return null;
                }
                last = "PING answered " + reply + " (from process " + process.pid() + "?)";
            } catch (RuntimeException e) {
                last = e.getMessage();
            }
            sleep(Duration.ofMillis(20));
        }
        return "no PONG within " + START_TIMEOUT.toSeconds() + " s (" + last + ")";
    }

    private void forceStop() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        forget();
    }

    private void forget() {
        LIVE.remove(process);
        process = null;
        paused = false;
    }

    private void requireRunning() {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException(name() + " is not running");
        }
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid()))
                    .redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** Settings for a process; nothing starts before {@link #build()}{@code .start()} or {@link #start()}. */
    public static final class Builder {
        private final List<List<String>> directives = new ArrayList<>();
        private RedisServerProcess replicaOf;
        private List<String> sentinelConfig;
        private int port;

        private Builder() {}

        /**
         * Uses this port instead of a free one (e.g. one from {@link FreePorts#pick()} that a client was pointed at
         * before the server existed). A port that is taken is waited for, up to the start timeout.
         */
        public Builder port(int port) {
            if (port < 1 || port > 65535 || port == 6379) {
                throw new IllegalArgumentException("port must be 1-65535 and not 6379: " + port);
            }
            this.port = port;
            return this;
        }

        /** An extra config directive, passed as {@code --directive value...} ({@code "repl-diskless-sync-delay", "0"}). */
        public Builder config(String directive, String... values) {
            List<String> entry = new ArrayList<>();
            entry.add(directive);
            entry.addAll(List.of(values));
            directives.add(List.copyOf(entry));
            return this;
        }

        /** Starts as a replica of {@code master} ({@code replicaof 127.0.0.1 <master port>}). */
        public Builder replicaOf(RedisServerProcess master) {
            this.replicaOf = master;
            return this;
        }

        /**
         * Runs as a Sentinel ({@code redis-server <file> --sentinel}); {@code configLines} follow the generated
         * {@code port}, {@code bind}, {@code dir} and {@code logfile} lines in the config file, which lives in the
         * process's temp dir (Sentinel rewrites it).
         */
        public Builder sentinel(List<String> configLines) {
            this.sentinelConfig = List.copyOf(configLines);
            return this;
        }

        public RedisServerProcess build() {
            return new RedisServerProcess(this);
        }

        public RedisServerProcess start() {
            RedisServerProcess process = build();
            try {
                return process.start();
            } catch (RuntimeException e) {
                process.close();
                throw e;
            }
        }
    }
}
