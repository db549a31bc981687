package io.alertrelay.bench;

import io.alertrelay.it.failover.harness.Fault;
import io.alertrelay.it.failover.harness.FaultScenario;
import io.alertrelay.it.failover.harness.Netns;
import io.alertrelay.it.failover.harness.Summary;
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
 * The failover benchmark: runs each {@link Fault} N times (fresh Redis processes each time) with the relay's
 * {@code RedisSource} (default settings) and a bare Lettuce subscriber ({@code redis-sentinel://}, defaults) subscribed
 * side by side, and writes a Markdown table: alerts lost (acknowledged, never received), duplicates, fault → first
 * delivery from the new master, and whether delivery resumed within 30 s.
 *
 * <pre>
 * mvn -B -Pbench -pl bench compile exec:java -Dbench.args="--reps 3 --out bench/target/failover.md"
 * </pre>
 *
 * Options: {@code --reps N} (3), {@code --faults NAME,...} (all; enum names of {@link Fault}), {@code --out FILE}
 * ({@code target/failover-bench.md}). The table is rewritten after every fault, so an interrupted run keeps what it
 * measured. The partition fault runs only inside a private network namespace (start the whole benchmark under
 * {@code unshare -n}); elsewhere its row says why it was skipped.
 */
public final class FailoverBench {
    private static final Logger log = LoggerFactory.getLogger(FailoverBench.class);

    private FailoverBench() {}

    public static void main(String[] args) {
        int reps = 3;
        List<Fault> faults = List.of(Fault.values());
        Path out = Path.of("target", "failover-bench.md");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--faults" -> faults = Arrays.stream(args[++i].split(",")).map(String::trim).map(Fault::valueOf)
                        .toList();
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--reps N, --faults NAME,..., --out FILE)");
            }
        }
        new Run(reps, faults, out.toAbsolutePath()).execute();
    }

    /** One fault's results per subscriber, one entry per repetition (empty when the repetition failed). */
    private record Row(Fault fault, Map<String, List<Optional<Summary>>> bySubscriber, List<String> errors,
            String skipped) {}

    private static final class Run {
        private final int reps;
        private final List<Fault> faults;
        private final Path out;
        private final Path raw;
        private final Map<Fault, Row> rows = new EnumMap<>(Fault.class);
        private final Instant started = Instant.now();

        Run(int reps, List<Fault> faults, Path out) {
            this.reps = reps;
            this.faults = faults;
            this.out = out;
            this.raw = out.resolveSibling(out.getFileName() + ".log");
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
                        FaultScenario.Result result = FaultScenario.run(fault, FaultScenario.Options.bench());
                        for (Summary summary : result.summaries()) {
                            bySubscriber.computeIfAbsent(summary.subscriber(), s -> new ArrayList<>())
                                    .add(Optional.of(summary));
                            append(rep + " " + summary.oneLine());
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
            md.append("Per repetition, in order. *lost* = acknowledged PUBLISHes never received; *dup* = deliveries"
                    + " beyond the first; *first* = fault → first received alert that the new master acknowledged"
                    + " after the fault was over (s); *resumed* = repetitions where that happened within 30 s;"
                    + " *verified* = fault → relay `status()` VERIFIED on the new master (s).\n\n");
            md.append("| fault | subscriber | lost | dup | first (s) | resumed | verified (s) |\n");
            md.append("| --- | --- | --- | --- | --- | --- | --- |\n");
            for (Row row : rows.values()) {
                if (row.skipped() != null) {
                    md.append("| ").append(row.fault().label()).append(" | - | ").append(row.skipped())
                            .append(" | | | | |\n");
                    continue;
                }
                for (Map.Entry<String, List<Optional<Summary>>> entry : row.bySubscriber().entrySet()) {
                    List<Optional<Summary>> runs = entry.getValue();
                    boolean relay = entry.getKey().equals("relay");
                    md.append("| ").append(row.fault().label()).append(" | ").append(entry.getKey()).append(" | ")
                            .append(each(runs, s -> String.valueOf(s.lost().size()))).append(" | ")
                            .append(each(runs, s -> String.valueOf(s.duplicates()))).append(" | ")
                            .append(each(runs, s -> seconds(s.firstDeliveryMillis()))).append(" | ")
                            .append(runs.stream().filter(r -> r.map(Summary::resumed).orElse(false)).count())
                            .append("/").append(runs.size()).append(" | ")
                            .append(relay ? each(runs, s -> seconds(s.verifiedMillis())) : "n/a").append(" |\n");
                }
                for (String error : row.errors()) {
                    md.append("| ").append(row.fault().label()).append(" | (error) | ")
                            .append(error.replace("|", "/")).append(" | | | | |\n");
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
