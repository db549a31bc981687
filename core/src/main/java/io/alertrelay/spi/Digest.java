package io.alertrelay.spi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Several alerts folded into one, for sinks that send one message per {@link Alert}: what {@link Sink#deliverAll}
 * sends by default.
 *
 * <ul>
 *   <li>title: the first alert's title, then {@code " … and N more"};</li>
 *   <li>summary: one line per alert ({@code [severity] title (status)}), at most {@link #LISTED_LIMIT} lines, then
 *       {@code "… and N more not listed"}: every alert is listed or counted, none dropped silently;</li>
 *   <li>severity: the most urgent; status: {@link Status#FIRING} if any alert fires, else resolved;</li>
 *   <li>labels: those every alert shares with the same value; id: the first id {@code +N}; origin and timestamp: the
 *       first alert's; extra: {@code digest-count} (the number of alerts) and {@code digest-ids} (their ids).</li>
 * </ul>
 */
public final class Digest {
    /** Most alerts named one per line in a digest's summary; the rest are counted. */
    public static final int LISTED_LIMIT = 50;

    private Digest() {}

    public static Alert of(List<Alert> alerts) {
        if (alerts.isEmpty()) {
            throw new IllegalArgumentException("a digest needs at least one alert");
        }
        if (alerts.size() == 1) {
            return alerts.get(0);
        }
        Alert first = alerts.get(0);
        int more = alerts.size() - 1;
        StringBuilder summary = new StringBuilder();
        int listed = Math.min(LISTED_LIMIT, alerts.size());
        for (int i = 0; i < listed; i++) {
            Alert alert = alerts.get(i);
            if (i > 0) {
                summary.append('\n');
            }
            summary.append('[').append(alert.severity().wireName()).append("] ").append(alert.title())
                    .append(" (").append(alert.status().wireName()).append(')');
        }
        if (alerts.size() > listed) {
            summary.append("\n… and ").append(alerts.size() - listed).append(" more not listed");
        }
        Severity severity = alerts.stream().map(Alert::severity).min(Comparator.naturalOrder()).orElseThrow();
        Status status = alerts.stream().anyMatch(a -> a.status() == Status.FIRING) ? Status.FIRING : Status.RESOLVED;
        Map<String, String> common = new LinkedHashMap<>(first.labels());
        for (Alert alert : alerts) {
            common.entrySet().removeIf(label -> !label.getValue().equals(alert.labels().get(label.getKey())));
        }
        List<String> ids = new ArrayList<>(alerts.size());
        alerts.forEach(alert -> ids.add(alert.id()));
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("digest-count", alerts.size());
        extra.put("digest-ids", List.copyOf(ids));
        return new Alert(first.id() + "+" + more, first.title() + " … and " + more + " more", status, severity,
                Optional.of(summary.toString()), common, first.source(), first.timestamp(), extra, first.origin());
    }
}
