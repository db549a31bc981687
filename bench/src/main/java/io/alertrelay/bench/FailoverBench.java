package io.alertrelay.bench;

import io.alertrelay.it.failover.harness.Fault;
import io.alertrelay.it.failover.harness.FaultScenario;
import io.alertrelay.it.failover.harness.JarSubscriber;
import io.alertrelay.it.failover.harness.Netns;
import io.alertrelay.it.failover.harness.Summary;
import io.alertrelay.it.failover.harness.WindowJudgement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failover benchmark: runs each {@link Fault} N times (fresh Redis processes each time) with the relay and a bare
 * Lettuce subscriber ({@code redis-sentinel://}, defaults) subscribed side by side, and writes a Markdown table: alerts
 * lost (acknowledged, never received), duplicates, fault → first delivery from the new master, and whether delivery
 * resumed within 30 s. The relay is either its {@code RedisSource} in-process (default settings, no watchdog), or with
 * {@code --relay jar} the assembled jar as a child process with the watchdog at its defaults, delivering to a Slack
 * stand-in; the jar's rows also count the blind windows it reported and how many of them were false (every alert
 * acknowledged meanwhile by the window's node was delivered).
 *
 * <pre>
 * mvn -B -Pbench -pl bench compile exec:java -Dbench.args="--reps 3 --out bench/target/failover.md"
 * mvn -B -Pbench -pl bench compile exec:java -Dbench.args="--relay jar --jar app/target/alert-relay.jar --reps 5"
 * </pre>
 *
 * Options: {@code --reps N} (3), {@code --faults NAME,...} (all; enum names of {@link Fault}), {@code --out FILE}
 * ({@code target/failover-bench.md}), {@code --relay in-process|jar} ({@code in-process}), {@code --jar FILE} (the
 * jar to run; default {@code app/target/alert-relay.jar} seen from the working directory or its parent),
 * {@code --rate N} (alerts/s of each of publishers A and B; 250 in-process, 500 with the jar). The table is rewritten
 * after every repetition, so an interrupted run keeps what it measured; its header names the jar's build (git commit of
 * the checkout it is in, whether that checkout had uncommitted changes, SHA-256 and time of the file). The partition
 * fault runs only inside a private network namespace (start the whole benchmark under {@code unshare -n}); elsewhere
 * its row says why it was skipped.
 */
public final class FailoverBench {
    private static final Logger log = LoggerFactory.getLogger(FailoverBench.class);

    private FailoverBench() {}

    public static void main(String[] args) {
        int reps = 3;
        List<Fault> faults = List.of(Fault.values());
        Path out = Path.of("target", "failover-bench.md");
        boolean jar = false;
        Integer rate = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--faults" -> faults = Arrays.stream(args[++i].split(",")).map(String::trim).map(Fault::valueOf)
                        .toList();
                case "--out" -> out = Path.of(args[++i]);
                case "--relay" -> {
                    String relay = args[++i];
                    if (!relay.equals("jar") && !relay.equals("in-process")) {
                        throw new IllegalArgumentException("--relay is in-process or jar, not " + relay);
                    }
                    jar = relay.equals("jar");
                }
                case "--jar" -> System.setProperty(JarSubscriber.JAR_PROPERTY, Path.of(args[++i]).toAbsolutePath()
                        .toString());
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--reps N, --faults NAME,..., --out FILE, --relay in-process|jar, --jar FILE, --rate N)");
            }
        }
        FaultScenario.Options options = jar ? FaultScenario.Options.benchJar() : FaultScenario.Options.bench();
        if (rate != null) {
            options = options.withRate(rate);
        }
        String build = jar ? buildOf(JarSubscriber.jarPath()) : "in-process RedisSource from this classpath";
        if (jar && System.getProperty(JarSubscriber.WORK_DIR_PROPERTY) == null) {
            System.setProperty(JarSubscriber.WORK_DIR_PROPERTY,
                    out.toAbsolutePath().resolveSibling("failover-jar-runs").toString());
        }
        new Run(reps, faults, out.toAbsolutePath(), options, build).execute();
    }

    /**
     * Which build a jar is: {@code app/target/alert-relay.jar} of the checkout at {@code <commit>} (with uncommitted
     * changes or not), its SHA-256 prefix and modification time.
     */
    static String buildOf(Path jar) {
        String sha;
        try {
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            sha = java.util.HexFormat.of().formatHex(digest.digest(Files.readAllBytes(jar))).substring(0, 12);
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            sha = "?";
        }
        String modified;
        try {
            modified = Files.getLastModifiedTime(jar).toInstant().toString();
        } catch (IOException e) {
            modified = "?";
        }
        Path checkout = jar.toAbsolutePath().getParent();
        while (checkout != null && !Files.exists(checkout.resolve(".git"))) {
            checkout = checkout.getParent();
        }
        String commit = "not in a git checkout";
        if (checkout != null) {
            String head = git(checkout, "log", "-1", "--format=%h %s");
            // what goes into the jar: not the tests, the benchmark or the docs
            List<String> changed = git(checkout, "status", "--porcelain", "--untracked-files=no").lines()
                    .filter(line -> line.length() > 3).map(line -> line.substring(3))
                    .filter(path -> !path.startsWith("integration-tests/") && !path.startsWith("bench/")
                            && !path.startsWith("docs/") && !path.endsWith(".md"))
                    .toList();
            commit = "commit " + head + (changed.isEmpty() ? ", no uncommitted changes to the modules in the jar"
                    : ", with uncommitted changes to " + (changed.size() <= 6 ? String.join(", ", changed)
                            : changed.size() + " files") + " (built from the working tree)");
        }
        return "`" + jar + "` (" + commit + "; sha256 " + sha + ", built " + modified + ")";
    }

    private static String git(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return process.waitFor() == 0 ? output : "?";
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    /** One fault's results per subscriber, one entry per repetition (empty when the repetition failed). */
    private record Row(Fault fault, Map<String, List<Optional<Summary>>> bySubscriber, List<String> errors,
            String skipped) {}

    private static final class Run {
        private final int reps;
        private final List<Fault> faults;
        private final Path out;
        private final Path raw;
        private final FaultScenario.Options options;
        private final String build;
        private final Map<Fault, Row> rows = new EnumMap<>(Fault.class);
        private final Instant started = Instant.now();

        Run(int reps, List<Fault> faults, Path out, FaultScenario.Options options, String build) {
            this.reps = reps;
            this.faults = faults;
            this.out = out;
            this.raw = out.resolveSibling(out.getFileName() + ".log");
            this.options = options;
            this.build = build;
        }

        void execute() {
            try {
                Files.createDirectories(out.getParent());
                Files.writeString(raw, "");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (Fault fault : faults) {
                if (fault == Fault.MASTER_PARTITION && !Netns.inPrivateNamespace()) {
                    rows.put(fault, new Row(fault, Map.of(), List.of(),
                            "skipped: not in a private network namespace (run the benchmark under `unshare -n`)"));
                    write();
                    continue;
                }
                Map<String, List<Optional<Summary>>> bySubscriber = new LinkedHashMap<>();
                List<String> errors = new ArrayList<>();
                for (int rep = 1; rep <= reps; rep++) {
                    log.info("=== {} repetition {}/{}", fault.label(), rep, reps);
                    try {
                        FaultScenario.Result result = FaultScenario.run(fault, options);
                        for (Summary summary : result.summaries()) {
                            bySubscriber.computeIfAbsent(summary.subscriber(), s -> new ArrayList<>())
                                    .add(Optional.of(summary));
                            append(rep + " " + summary.oneLine());
                            for (WindowJudgement window : summary.blindWindows().orElse(List.of())) {
                                append(rep + "   " + summary.subscriber() + " " + window.describe());
                            }
                        }
                    } catch (RuntimeException | AssertionError e) {
                        log.error("{} repetition {} failed", fault.label(), rep, e);
                        errors.add("rep " + rep + ": " + e.toString().lines().findFirst().orElse(""));
                        bySubscriber.values().forEach(list -> list.add(Optional.empty()));
                        append(rep + " " + fault.label() + " ERROR " + e);
                    }
                    rows.put(fault, new Row(fault, bySubscriber, errors, null));
                    write();
                }
            }
            log.info("wrote {}", out);
        }

        private void append(String line) {
            try {
                Files.writeString(raw, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void write() {
            StringBuilder md = new StringBuilder();
            md.append("Failover benchmark, ").append(reps).append(" repetition(s) per fault, started ")
                    .append(started).append(", last written ").append(Instant.now()).append(".\n\n");
            md.append("Subscribers: ").append(options.subscribers()).append("; publishers A and B at ")
                    .append(options.ratePerPublisher()).append(" alerts/s each. Relay build: ").append(build)
                    .append(".\n\n");
            md.append("Per repetition, in order. *lost* = acknowledged PUBLISHes never received; *dup* = deliveries"
                    + " beyond the first; *first* = fault → first received alert that the new master acknowledged"
                    + " after the fault was over (s); *resumed* = repetitions where that happened within 30 s;"
                    + " *verified* = fault → relay status VERIFIED on the new master (s); *windows (false)* = blind"
                    + " windows the jar's watchdog reported (of which false: every alert acknowledged meanwhile by the"
                    + " window's node was delivered).\n\n");
            md.append("| fault | subscriber | lost | dup | first (s) | resumed | verified (s) | windows (false) |\n");
            md.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
            for (Row row : rows.values()) {
                if (row.skipped() != null) {
                    md.append("| ").append(row.fault().label()).append(" | - | ").append(row.skipped())
                            .append(" | | | | | |\n");
                    continue;
                }
                for (Map.Entry<String, List<Optional<Summary>>> entry : row.bySubscriber().entrySet()) {
                    List<Optional<Summary>> runs = entry.getValue();
                    boolean relay = !entry.getKey().equals("bare Lettuce");
                    md.append("| ").append(row.fault().label()).append(" | ").append(entry.getKey()).append(" | ")
                            .append(each(runs, s -> String.valueOf(s.lost().size()))).append(" | ")
                            .append(each(runs, s -> String.valueOf(s.duplicates()))).append(" | ")
                            .append(each(runs, s -> seconds(s.firstDeliveryMillis()))).append(" | ")
                            .append(runs.stream().filter(r -> r.map(Summary::resumed).orElse(false)).count())
                            .append("/").append(runs.size()).append(" | ")
                            .append(relay ? each(runs, s -> seconds(s.verifiedMillis())) : "n/a").append(" | ")
                            .append(runs.stream().anyMatch(r -> r.map(s -> s.blindWindows().isPresent()).orElse(false))
                                    ? each(runs, s -> s.blindWindows().map(w -> w.size() + " (" + s.falseBlindWindows()
                                            .size() + ")").orElse("n/a"))
                                    : "n/a")
                            .append(" |\n");
                }
                for (String error : row.errors()) {
                    md.append("| ").append(row.fault().label()).append(" | (error) | ")
                            .append(error.replace("|", "/")).append(" | | | | | |\n");
                }
            }
            try {
                Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static String each(List<Optional<Summary>> runs, java.util.function.Function<Summary, String> value) {
            return runs.stream().map(r -> r.map(value).orElse("err")).collect(Collectors.joining(", "));
        }

        private static String seconds(Optional<Long> millis) {
            return millis.map(m -> String.format("%.2f", m / 1000.0)).orElse("never");
        }
    }
}
