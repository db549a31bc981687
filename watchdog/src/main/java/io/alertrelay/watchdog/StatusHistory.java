package io.alertrelay.watchdog;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The recent past the status page plots ({@code GET /status/history}), in bounded in-memory ring buffers: per series
 * at most {@link #POINTS} points (one hour at the {@link #PERIOD} the app samples at), at most {@link #MAX_SERIES}
 * series per group; a point older than {@link #SPAN} is dropped. Nothing is persisted: a restart starts empty.
 * Thread-safe.
 *
 * <p>Groups the app records: {@code canaryRoundTripMillis} (per Redis node, the latest canary's round trip at each sample, kept once),
 * {@code streamEventsPerMinute} (per stream), {@code sinkQueueDepth} (per sink). Worst case
 * {@code 3 groups x 64 series x 720 points x 16 bytes}, about 2.2 MB.
 */
public final class StatusHistory {
    /** How often the app samples. */
    public static final Duration PERIOD = Duration.ofSeconds(5);
    /** How far back the history reaches. */
    public static final Duration SPAN = Duration.ofHours(1);
    /** Points kept per series: {@link #SPAN} / {@link #PERIOD}. */
    public static final int POINTS = (int) (SPAN.toMillis() / PERIOD.toMillis());
    /** Series kept per group; a series beyond it is not recorded (counted in {@code droppedSeries}). */
    public static final int MAX_SERIES = 64;

    private final Map<String, Map<String, Ring>> groups = new LinkedHashMap<>();
    private long droppedSeries;

    /**
     * Adds a point unless the series already has one at or after {@code at} (so a value sampled twice is kept once).
     */
    public synchronized void add(String group, String series, Instant at, double value) {
        requireNonNull(group, "group is null");
        requireNonNull(series, "series is null");
        requireNonNull(at, "at is null");
        Map<String, Ring> seriesOfGroup = groups.computeIfAbsent(group, key -> new LinkedHashMap<>());
        Ring ring = seriesOfGroup.get(series);
        if (ring == null) {
            if (seriesOfGroup.size() >= MAX_SERIES) {
                droppedSeries++;
                return;
            }
            ring = new Ring(POINTS);
            seriesOfGroup.put(series, ring);
        }
        ring.add(at.toEpochMilli(), value);
    }

    /**
     * The JSON of {@code /status/history}: {@code {"period":"PT5S","span":"PT1H","points":720,"now":...,
     * "groups":{group:{series:[[epochMillis,value],...]}}}}, oldest point first, points older than {@link #SPAN}
     * before {@code now} left out.
     */
    public synchronized Map<String, Object> snapshot(Instant now) {
        long since = now.minus(SPAN).toEpochMilli();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("period", PERIOD.toString());
        json.put("span", SPAN.toString());
        json.put("points", POINTS);
        json.put("now", now.toEpochMilli());
        Map<String, Object> all = new LinkedHashMap<>();
        groups.forEach((group, series) -> {
            Map<String, Object> out = new LinkedHashMap<>();
            series.forEach((name, ring) -> out.put(name, ring.since(since)));
            all.put(group, out);
        });
        json.put("groups", all);
        json.put("droppedSeries", droppedSeries);
        return json;
    }

    /** A fixed-size ring of (epoch millis, value). */
    private static final class Ring {
        private final long[] times;
        private final double[] values;
        private int next;
        private int size;

        Ring(int capacity) {
            times = new long[capacity];
            values = new double[capacity];
        }

        void add(long at, double value) {
            if (size > 0 && times[(next - 1 + times.length) % times.length] >= at) {
                return;
            }
            times[next] = at;
            values[next] = value;
            next = (next + 1) % times.length;
            size = Math.min(size + 1, times.length);
        }

        List<List<Number>> since(long since) {
            List<List<Number>> points = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                int index = (next - size + i + times.length) % times.length;
                if (times[index] >= since) {
                    points.add(List.of(times[index], values[index]));
                }
            }
            return points;
        }
    }
}
