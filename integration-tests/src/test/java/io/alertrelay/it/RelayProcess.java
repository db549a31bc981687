package io.alertrelay.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The assembled jar ({@code app/target/alert-relay.jar}) running as a child process, with its stdout and stderr in
 * files. {@link #close()} sends SIGTERM (graceful shutdown) and, failing that, SIGKILL.
 */
final class RelayProcess implements AutoCloseable {
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private RelayProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    static Path jar() {
        String configured = System.getProperty("alertrelay.jar");
        Path jar = configured != null ? Path.of(configured) : Path.of("../app/target/alert-relay.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("assembled jar not found at " + jar.toAbsolutePath()
                    + "; build it first (./mvnw -B verify builds it before the integration tests)");
        }
        return jar;
    }

    /** {@code ["a", "b"]}: values as a YAML flow list, for config text blocks (sentinel nodes, say). */
    static String yamlList(List<String> values) {
        return values.stream().map(value -> "\"" + value + "\"").collect(java.util.stream.Collectors.joining(", "));
    }

    /** Starts {@code java -jar alert-relay.jar args...} with extra environment variables. */
    static RelayProcess start(Path workDir, Map<String, String> environment, String... args) throws IOException {
        Files.createDirectories(workDir);
        Path stdout = workDir.resolve("relay.stdout");
        Path stderr = workDir.resolve("relay.stderr");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-jar");
        command.add(jar().toAbsolutePath().toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        builder.environment().putAll(environment);
        RelayProcess relay = new RelayProcess(builder.start(), stdout, stderr);
        Runtime.getRuntime().addShutdownHook(new Thread(relay.process::destroyForcibly));
        return relay;
    }

    /** Starts the relay with a config file and waits until it logs that it is running. */
    static RelayProcess startWithConfig(Path workDir, String yaml, Map<String, String> environment) throws Exception {
        Files.createDirectories(workDir);
        Path config = workDir.resolve("relay.yaml");
        Files.writeString(config, yaml, StandardCharsets.UTF_8);
        RelayProcess relay = start(workDir, environment, "--config", config.toString());
        relay.awaitStderr(line -> line.contains("Alert Relay running"), Duration.ofSeconds(30));
        return relay;
    }

    String stdout() {
        return read(stdout);
    }

    String stderr() {
        return read(stderr);
    }

    /** The relay's process id, for signals ({@code kill -HUP}). */
    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to exit on its own; returns its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("relay did not exit within " + timeout + "; stderr:\n" + stderr());
        }
        return process.exitValue();
    }

    void awaitStderr(Predicate<String> line, Duration timeout) throws InterruptedException {
        await(stderr, line, timeout, "stderr");
    }

    void awaitStdout(Predicate<String> line, Duration timeout) throws InterruptedException {
        await(stdout, line, timeout, "stdout");
    }

    private void await(Path file, Predicate<String> line, Duration timeout, String name) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (read(file).lines().anyMatch(line)) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError("relay exited with " + process.exitValue() + " before the expected "
                        + name + " line; stderr:\n" + stderr() + "\nstdout:\n" + stdout());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("expected " + name + " line did not appear within " + timeout + "; stderr:\n"
                + stderr() + "\nstdout:\n" + stdout());
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** SIGKILL: no shutdown hook, no flush; what a crash, an OOM kill or {@code kill -9} leaves. Returns the exit code. */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        return process.exitValue();
    }

    /** SIGTERM, then SIGKILL after 15 s. Returns the exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
