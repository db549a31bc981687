package io.alertrelay.it.failover.harness;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One numbered alert: publisher {@code A} number 123 is published as
 * {@code {"title":"seq A-123","publisher":"A","seq":123}} on channel {@code alerts:A}.
 */
public record Alert(String publisher, long seq) implements Comparable<Alert> {
    private static final Pattern PAYLOAD =
            Pattern.compile("\\{\"title\":\"seq [^\"]*\",\"publisher\":\"([^\"]+)\",\"seq\":(\\d+)}");

    public String channel() {
        return "alerts:" + publisher;
    }

    public String payload() {
        return "{\"title\":\"seq " + publisher + "-" + seq + "\",\"publisher\":\"" + publisher + "\",\"seq\":" + seq + "}";
    }

    /** The alert a payload carries, or empty for anything else. */
    public static Optional<Alert> parse(String payload) {
        Matcher matcher = PAYLOAD.matcher(payload);
        return matcher.matches() ? Optional.of(new Alert(matcher.group(1), Long.parseLong(matcher.group(2))))
                : Optional.empty();
    }

    @Override
    public int compareTo(Alert other) {
        int byPublisher = publisher.compareTo(other.publisher);
        return byPublisher != 0 ? byPublisher : Long.compare(seq, other.seq);
    }

    @Override
    public String toString() {
        return publisher + "-" + seq;
    }
}
