package io.alertrelay.watchdog.streams;

import static java.util.Objects.requireNonNull;

import io.alertrelay.config.ConfigBinder;
import io.alertrelay.config.Parser;
import io.alertrelay.config.Parsers;
import io.alertrelay.config.TreeConfigView;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.ConfigView;
import io.alertrelay.spi.ConfigurationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What {@link StreamWatch} watches and when it speaks: the {@code watchdog.streams}, {@code watchdog.absence},
 * {@code watchdog.anomaly} and {@code watchdog.expect} keys. See {@code docs/watchdog-streams.md} for every key and its
 * default.
 *
 * @param streamKey    {@code streams.key}: what makes alerts one stream (default {@code channel})
 * @param maxStreams   {@code streams.max}: the most streams tracked at once (default 10000); events of further new
 *                     streams are counted and not watched
 * @param forgetAfter  {@code streams.forget-after}: a stream idle this long with nothing firing is forgotten, freeing
 *                     its slot (default 7d)
 * @param absence      {@code absence.*}: when a learned stream's silence is reported
 * @param anomaly      {@code anomaly.*}: when a stream's rate is reported as a spike or a drop
 * @param expectations {@code expect}: explicit "at least n events per period" rules
 */
public record StreamWatchConfig(
        StreamKey streamKey,
        int maxStreams,
        Duration forgetAfter,
        Absence absence,
        Anomaly anomaly,
        List<Expectation> expectations) {

    public static final int DEFAULT_MAX_STREAMS = 10_000;
    public static final Duration DEFAULT_FORGET_AFTER = Duration.ofDays(7);
    /** The largest {@code at-least} of an expectation: the watch keeps one timestamp per expected event. */
    public static final int MAX_AT_LEAST = 100_000;

    /** Checks its own invariants too ({@link IllegalArgumentException}), for configurations built in code. */
    public StreamWatchConfig {
        requireNonNull(streamKey, "streamKey is null");
        requireNonNull(forgetAfter, "forgetAfter is null");
        requireNonNull(absence, "absence is null");
        require(maxStreams >= 1, "maxStreams must be at least 1");
        require(positive(forgetAfter), "forgetAfter must be positive");
        requireNonNull(anomaly, "anomaly is null");
        expectations = List.copyOf(requireNonNull(expectations, "expectations is null"));
    }

    /** Every default: streams by channel, absence and anomaly detection on, no explicit expectation. */
    public static StreamWatchConfig defaults() {
        return new StreamWatchConfig(StreamKey.channel(), DEFAULT_MAX_STREAMS, DEFAULT_FORGET_AFTER,
                Absence.DEFAULTS, Anomaly.DEFAULTS, List.of());
    }

    /** The same configuration with these expectations instead. */
    public StreamWatchConfig withExpectations(List<Expectation> expectations) {
        return new StreamWatchConfig(streamKey, maxStreams, forgetAfter, absence, anomaly, expectations);
    }

    /** The same configuration with these anomaly settings instead. */
    public StreamWatchConfig withAnomaly(Anomaly anomaly) {
        return new StreamWatchConfig(streamKey, maxStreams, forgetAfter, absence, anomaly, expectations);
    }

    /** The same configuration with these absence settings instead. */
    public StreamWatchConfig withAbsence(Absence absence) {
        return new StreamWatchConfig(streamKey, maxStreams, forgetAfter, absence, anomaly, expectations);
    }

    /**
     * Reads the stream-watch keys of the {@code watchdog} section. Every problem (under its full key, e.g.
     * {@code watchdog.absence.factor}) is collected and thrown together.
     *
     * <p>{@code expect} is a list of sections, which only a {@link TreeConfigView} can hold; given another view that
     * has an {@code expect} key, that is reported as a problem.
     *
     * @throws ConfigurationException with every problem found
     */
    public static StreamWatchConfig from(ConfigView watchdog) {
        requireNonNull(watchdog, "watchdog is null");
        List<String> problems = new ArrayList<>();

        StreamKey streamKey = StreamKey.channel();
        int maxStreams = DEFAULT_MAX_STREAMS;
        Duration forgetAfter = DEFAULT_FORGET_AFTER;
        ConfigView streams = section(watchdog, "streams", problems);
        ConfigBinder streamsBinder = null;
        if (streams != null) {
            streamsBinder = new ConfigBinder(streams);
            streamKey = streamsBinder.optional("key", StreamKey::parse, StreamKey.channel());
            maxStreams = streamsBinder.optional("max", Parsers::positiveInt, DEFAULT_MAX_STREAMS);
            forgetAfter = streamsBinder.optional("forget-after", StreamWatchConfig::positiveDuration,
                    DEFAULT_FORGET_AFTER);
        }

        int streamsProblemsAt = problems.size();
        Absence absence = Absence.DEFAULTS;
        ConfigView absenceView = section(watchdog, "absence", problems);
        if (absenceView != null) {
            ConfigBinder b = new ConfigBinder(absenceView);
            absence = new Absence(
                    b.optional("factor", StreamWatchConfig::factor, Absence.DEFAULTS.factor()),
                    b.optional("floor", StreamWatchConfig::positiveDuration, Absence.DEFAULTS.floor()),
                    b.optional("min-events", atLeast(2), Absence.DEFAULTS.minEvents()),
                    b.optional("ewma-alpha", StreamWatchConfig::alpha, Absence.DEFAULTS.ewmaAlpha()));
            problems.addAll(b.problems());
        }
        if (streamsBinder != null) {
            streamsBinder.check(forgetAfter.compareTo(absence.floor()) > 0, "forget-after",
                    "must be longer than " + watchdog.fullKey("absence.floor") + " ("
                            + Formats.duration(absence.floor()) + ")");
            problems.addAll(streamsProblemsAt, streamsBinder.problems());
        }

        Anomaly anomaly = Anomaly.DEFAULTS;
        ConfigView anomalyView = section(watchdog, "anomaly", problems);
        if (anomalyView != null) {
            ConfigBinder b = new ConfigBinder(anomalyView);
            Anomaly d = Anomaly.DEFAULTS;
            anomaly = new Anomaly(
                    b.optional("enabled", Parsers::bool, d.enabled()),
                    b.optional("window", StreamWatchConfig::positiveDuration, d.window()),
                    b.optional("baseline-alpha", StreamWatchConfig::alpha, d.baselineAlpha()),
                    b.optional("min-baseline-windows", Parsers::positiveInt, d.minBaselineWindows()),
                    b.optional("spike-factor", StreamWatchConfig::factor, d.spikeFactor()),
                    b.optional("drop-factor", StreamWatchConfig::factor, d.dropFactor()),
                    b.optional("min-events", Parsers::positiveInt, d.minEvents()),
                    b.optional("trigger-windows", Parsers::positiveInt, d.triggerWindows()),
                    b.optional("clear-windows", Parsers::positiveInt, d.clearWindows()));
            problems.addAll(b.problems());
        }

        List<Expectation> expectations = expectations(watchdog, problems);

        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems);
        }
        return new StreamWatchConfig(streamKey, maxStreams, forgetAfter, absence, anomaly, expectations);
    }

    private static List<Expectation> expectations(ConfigView watchdog, List<String> problems) {
        List<Expectation> expectations = new ArrayList<>();
        if (!(watchdog instanceof TreeConfigView tree)) {
            if (watchdog.keys().contains("expect")) {
                problems.add(watchdog.fullKey("expect") + ": a list of sections needs a tree-backed configuration");
            }
            return expectations;
        }
        List<TreeConfigView> entries;
        try {
            entries = tree.sectionList("expect");
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
            return expectations;
        }
        Map<String, String> names = new LinkedHashMap<>();
        for (TreeConfigView entry : entries) {
            ConfigBinder b = new ConfigBinder(entry);
            Optional<String> name = b.optional("name", Parsers::string);
            Optional<String> channel = b.optional("channel", Parsers::string);
            Map<String, String> labels = new LinkedHashMap<>();
            try {
                TreeConfigView labelView = entry.section("labels");
                ConfigBinder labelBinder = new ConfigBinder(labelView);
                for (String label : labelView.keys()) {
                    labelBinder.optional(label, Parsers::string).ifPresent(value -> labels.put(label, value));
                }
                problems.addAll(labelBinder.problems());
            } catch (ConfigurationException e) {
                problems.addAll(e.problems());
            }
            int atLeast = b.optional("at-least", range(1, MAX_AT_LEAST), 1);
            ConfigBinder.Required<Duration> per = b.required("per", StreamWatchConfig::positiveDuration);
            problems.addAll(b.problems());
            if (channel.isEmpty() && labels.isEmpty() && b.isValid()) {
                problems.add(entry.prefix() + ": needs a channel, labels, or both (which alerts it counts)");
                continue;
            }
            if (!b.isValid() || !per.isValid()) {
                continue;
            }
            Expectation expectation = new Expectation(
                    name.orElseGet(() -> Expectation.defaultName(channel, labels)), channel, labels, atLeast, per.get());
            String previous = names.putIfAbsent(expectation.name(), entry.prefix());
            if (previous != null) {
                problems.add(entry.fullKey("name") + ": '" + expectation.name() + "' is already the name of "
                        + previous + "; give one of them a distinct name");
                continue;
            }
            expectations.add(expectation);
        }
        return expectations;
    }

    private static ConfigView section(ConfigView parent, String key, List<String> problems) {
        try {
            return parent.section(key);
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
            return null;
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    private static boolean positive(Duration duration) {
        return !duration.isZero() && !duration.isNegative();
    }

    static Duration positiveDuration(String value) {
        Duration duration = Parsers.duration(value);
        if (!positive(duration)) {
            throw new IllegalArgumentException("must be a positive duration (e.g. 500ms, 10s, 2m)");
        }
        return duration;
    }

    static double factor(String value) {
        double number = Parsers.number(value);
        if (!Double.isFinite(number) || number <= 1) {
            throw new IllegalArgumentException("must be a number greater than 1");
        }
        return number;
    }

    static double alpha(String value) {
        double number = Parsers.number(value);
        if (!Double.isFinite(number) || number <= 0 || number > 1) {
            throw new IllegalArgumentException("must be a number greater than 0 and at most 1");
        }
        return number;
    }

    static Parser<Integer> atLeast(int minimum) {
        return value -> {
            int number = Parsers.integer(value);
            if (number < minimum) {
                throw new IllegalArgumentException("must be an integer of at least " + minimum);
            }
            return number;
        };
    }

    static Parser<Integer> range(int minimum, int maximum) {
        return value -> {
            int number = Parsers.integer(value);
            if (number < minimum || number > maximum) {
                throw new IllegalArgumentException("must be an integer from " + minimum + " to " + maximum);
            }
            return number;
        };
    }

    /**
     * What makes alerts one stream: their Redis channel, or the value of one label. An alert without that label
     * belongs to no stream: it is not watched (it still counts for the expectations it matches) and is counted in
     * {@link StreamWatch#unkeyedEvents()}.
     *
     * @param label the label whose value names the stream, or empty for the channel
     */
    public record StreamKey(Optional<String> label) {
        public StreamKey {
            requireNonNull(label, "label is null");
        }

        public static StreamKey channel() {
            return new StreamKey(Optional.empty());
        }

        public static StreamKey label(String name) {
            return new StreamKey(Optional.of(requireNonNull(name, "name is null")));
        }

        /** {@code channel} or {@code label:<name>}. */
        public static StreamKey parse(String value) {
            String trimmed = value.trim();
            if (trimmed.equals("channel")) {
                return channel();
            }
            if (trimmed.startsWith("label:") && !trimmed.substring("label:".length()).isBlank()) {
                return label(trimmed.substring("label:".length()).trim());
            }
            throw new IllegalArgumentException("is not 'channel' or 'label:<name>' (e.g. label:service)");
        }

        /** The stream {@code alert} belongs to, or empty when it lacks the label. */
        public Optional<String> of(Alert alert) {
            return label.isEmpty() ? Optional.of(alert.origin().channel()) : Optional.ofNullable(
                    alert.labels().get(label.get()));
        }

        @Override
        public String toString() {
            return label.map(name -> "label:" + name).orElse("channel");
        }
    }

    /**
     * When a learned stream's silence is reported: once it has seen {@code minEvents}, it is ABSENT when silent for
     * longer than {@code max(factor × usual gap, floor)}, the usual gap being an EWMA of its inter-arrival gaps in
     * which each gap weighs as much as it lasts (for a steady stream, the plain EWMA; see
     * {@code docs/watchdog-streams.md} for why bursty streams need the weighting).
     *
     * @param factor    {@code absence.factor}, default 6, greater than 1
     * @param floor     {@code absence.floor}, default 5m: no silence shorter than this is ever reported
     * @param minEvents {@code absence.min-events}, default 20, at least 2: a stream is judged only after this many
     * @param ewmaAlpha {@code absence.ewma-alpha}, default 0.1, in (0, 1]: the weight of a new gap of usual length
     */
    public record Absence(double factor, Duration floor, int minEvents, double ewmaAlpha) {
        public static final Absence DEFAULTS = new Absence(6, Duration.ofMinutes(5), 20, 0.1);

        public Absence {
            requireNonNull(floor, "floor is null");
            require(Double.isFinite(factor) && factor > 1, "factor must be greater than 1");
            require(positive(floor), "floor must be positive");
            require(minEvents >= 2, "minEvents must be at least 2");
            require(ewmaAlpha > 0 && ewmaAlpha <= 1, "ewmaAlpha must be in (0, 1]");
        }
    }

    /**
     * When a stream's rate is reported. The rate is counted per {@code window}; the baseline is an EWMA of those
     * counts. See {@code docs/watchdog-streams.md} for the hysteresis.
     *
     * @param enabled            {@code anomaly.enabled}, default true
     * @param window             {@code anomaly.window}, default 1m
     * @param baselineAlpha      {@code anomaly.baseline-alpha}, default 0.05, in (0, 1]
     * @param minBaselineWindows {@code anomaly.min-baseline-windows}, default 10: no verdict before
     * @param spikeFactor        {@code anomaly.spike-factor}, default 10: a window above factor × baseline (and with
     *                           at least {@code minEvents}) is a spike window
     * @param dropFactor         {@code anomaly.drop-factor}, default 10: a window below baseline / factor (with a
     *                           baseline of at least {@code minEvents}) is a drop window
     * @param minEvents          {@code anomaly.min-events}, default 20
     * @param triggerWindows     {@code anomaly.trigger-windows}, default 2: consecutive anomalous windows to fire
     * @param clearWindows       {@code anomaly.clear-windows}, default 3: consecutive normal windows to resolve
     */
    public record Anomaly(
            boolean enabled,
            Duration window,
            double baselineAlpha,
            int minBaselineWindows,
            double spikeFactor,
            double dropFactor,
            int minEvents,
            int triggerWindows,
            int clearWindows) {
        public static final Anomaly DEFAULTS = new Anomaly(true, Duration.ofMinutes(1), 0.05, 10, 10, 10, 20, 2, 3);

        public Anomaly {
            requireNonNull(window, "window is null");
            require(window.toMillis() >= 1, "window must be at least 1ms");
            require(baselineAlpha > 0 && baselineAlpha <= 1, "baselineAlpha must be in (0, 1]");
            require(minBaselineWindows >= 1, "minBaselineWindows must be at least 1");
            require(Double.isFinite(spikeFactor) && spikeFactor > 1, "spikeFactor must be greater than 1");
            require(Double.isFinite(dropFactor) && dropFactor > 1, "dropFactor must be greater than 1");
            require(minEvents >= 1, "minEvents must be at least 1");
            require(triggerWindows >= 1, "triggerWindows must be at least 1");
            require(clearWindows >= 1, "clearWindows must be at least 1");
        }
    }

    /**
     * An explicit rule: at least {@code atLeast} matching events in every period of {@code per}. Judged once the watch
     * has run for {@code per}; fires when unmet, resolves when met again.
     *
     * @param name    names the rule in findings; defaults to the channel and labels
     * @param channel the exact channel a matching alert was received on, if any
     * @param labels  labels a matching alert carries with these values (all of them)
     * @param atLeast how many matching events are expected per period, 1 to {@value #MAX_AT_LEAST}
     * @param per     the period
     */
    public record Expectation(String name, Optional<String> channel, Map<String, String> labels, int atLeast,
                              Duration per) {
        public Expectation {
            requireNonNull(name, "name is null");
            requireNonNull(channel, "channel is null");
            labels = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(labels, "labels is null")));
            requireNonNull(per, "per is null");
            require(channel.isPresent() || !labels.isEmpty(), "an expectation needs a channel, labels, or both");
            require(atLeast >= 1 && atLeast <= MAX_AT_LEAST, "atLeast must be 1 to " + MAX_AT_LEAST);
            require(positive(per), "per must be positive");
        }

        /** An expectation named after its channel. */
        public static Expectation of(String channel, int atLeast, Duration per) {
            return new Expectation(channel, Optional.of(channel), Map.of(), atLeast, per);
        }

        public boolean matches(Alert alert) {
            if (channel.isPresent() && !channel.get().equals(alert.origin().channel())) {
                return false;
            }
            for (Map.Entry<String, String> label : labels.entrySet()) {
                if (!label.getValue().equals(alert.labels().get(label.getKey()))) {
                    return false;
                }
            }
            return true;
        }

        static String defaultName(Optional<String> channel, Map<String, String> labels) {
            String labelPart = labels.isEmpty() ? "" : labels.entrySet().stream()
                    .map(entry -> entry.getKey() + "=" + entry.getValue())
                    .collect(Collectors.joining(",", "{", "}"));
            return channel.orElse("") + labelPart;
        }
    }
}
