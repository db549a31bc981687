package io.alertrelay.spi;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One decoded event, as sinks see it. See {@code docs/event-contract.md} for the wire format.
 *
 * @param id          the event's {@code id}, or a stable hash of channel and payload when the event has none
 * @param title       required, never blank
 * @param status      {@code firing} (default) or {@code resolved}
 * @param severity    {@code critical}, {@code error}, {@code warning} (default) or {@code info}
 * @param summary     optional longer text
 * @param labels      string labels, insertion-ordered
 * @param source      who sent it, if the event says
 * @param timestamp   when it happened, if the event says
 * @param extra       every field the contract does not name, kept as JSON-like JDK values (String, Number, Boolean,
 *                    List, Map, null) for sinks and templates
 * @param origin      where and when the relay received it
 */
public record Alert(
        String id,
        String title,
        Status status,
        Severity severity,
        Optional<String> summary,
        Map<String, String> labels,
        Optional<String> source,
        Optional<Instant> timestamp,
        Map<String, Object> extra,
        Origin origin) {

    public Alert {
        requireNonNull(id, "id is null");
        requireNonNull(title, "title is null");
        requireNonNull(status, "status is null");
        requireNonNull(severity, "severity is null");
        requireNonNull(summary, "summary is null");
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(labels, "labels is null")));
        requireNonNull(source, "source is null");
        requireNonNull(timestamp, "timestamp is null");
        // extra may hold JSON nulls, which Map.copyOf refuses
        extra = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(extra, "extra is null")));
        requireNonNull(origin, "origin is null");
    }

    /**
     * Where the relay received an event.
     *
     * @param channel    the Redis channel it was published on
     * @param pattern    the pattern subscription that matched it, if it came through PSUBSCRIBE
     * @param receivedAt when the relay read it
     */
    public record Origin(String channel, Optional<String> pattern, Instant receivedAt) {
        public Origin {
            requireNonNull(channel, "channel is null");
            requireNonNull(pattern, "pattern is null");
            requireNonNull(receivedAt, "receivedAt is null");
        }
    }
}
