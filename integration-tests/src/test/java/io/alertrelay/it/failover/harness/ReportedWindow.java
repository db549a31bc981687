package io.alertrelay.it.failover.harness;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One blind window as the relay's {@code /status} reports it ({@code blindWindows.recent[]}, or {@code open[]} when
 * the run ended before it closed), with the node it is about.
 *
 * <p>The node is the window's {@code node} field when {@code /status} has one; else the node named by a reason of the
 * form {@code subscription lost on <host:port>: ...} (how {@code BlindWindows.subscriptionLost} words it); else
 * empty: a window opened by a canary that came back on no node is about every node.
 *
 * @param end when the window closed; for a window still open at the end of the run, when {@code /status} was read
 */
public record ReportedWindow(String subscription, Optional<String> node, Instant start, Instant end, boolean open,
        String reason, String closedBy) {
    private static final Pattern LOST_ON = Pattern.compile("subscription lost on (\\S+?:\\d+)");

    /** The closed and open windows of a {@code /status} document; open ones end at {@code readAt}. */
    static List<ReportedWindow> fromStatus(JsonNode status, Instant readAt) {
        JsonNode windows = status.path("blindWindows");
        List<ReportedWindow> result = new ArrayList<>();
        for (JsonNode window : windows.path("recent")) {
            result.add(parse(window, false, readAt));
        }
        for (JsonNode window : windows.path("open")) {
            result.add(parse(window, true, readAt));
        }
        result.sort((a, b) -> a.start.compareTo(b.start));
        return result;
    }

    private static ReportedWindow parse(JsonNode window, boolean open, Instant readAt) {
        String reason = window.path("reason").asText("");
        Optional<String> node = Optional.empty();
        if (window.hasNonNull("node") && !window.get("node").asText().isBlank()) {
            node = Optional.of(window.get("node").asText());
        } else {
            Matcher matcher = LOST_ON.matcher(reason);
            if (matcher.find()) {
                node = Optional.of(matcher.group(1));
            }
        }
        Instant start = Instant.parse(window.path("start").asText());
        Instant end = open || !window.hasNonNull("end") ? readAt : Instant.parse(window.get("end").asText());
        return new ReportedWindow(window.path("subscription").asText("?"), node, start, end, open, reason,
                window.path("closedBy").asText(""));
    }

    /** Whether an alert sent at {@code sent} and acknowledged at {@code acked} may have been published inside. */
    boolean overlaps(Instant sent, Instant acked, long toleranceMillis) {
        return !acked.plusMillis(toleranceMillis).isBefore(start) && !sent.minusMillis(toleranceMillis).isAfter(end);
    }

    /** Whether an acknowledgement by {@code ackNode} is about this window's node (any node when it has none). */
    boolean concerns(String ackNode) {
        return node.isEmpty() || node.get().equals(ackNode);
    }
}
