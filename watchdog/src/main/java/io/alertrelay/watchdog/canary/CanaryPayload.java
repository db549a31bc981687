package io.alertrelay.watchdog.canary;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.alertrelay.spi.Alert;
import io.alertrelay.watchdog.RelayHealthAlerts;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The canary event: an ordinary event of the event contract, recognisable by its {@value #FIELD} object.
 *
 * <pre>{@code
 * {"id":"canary:<relay>:42","title":"alert-relay canary","severity":"info","source":"alert-relay-watchdog",
 *  "timestamp":"2026-11-23T10:00:00.123Z","labels":{"relay":"<relay>"},
 *  "canary":{"relay":"<relay>","seq":42,"sent":"2026-11-23T10:00:00.123Z"}}
 * }</pre>
 */
public final class CanaryPayload {
    public static final String TITLE = "alert-relay canary";
    public static final String SOURCE = RelayHealthAlerts.SOURCE;
    public static final String FIELD = "canary";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private CanaryPayload() {}

    /** What a canary carries. */
    public record Stamp(String relay, long seq, Instant sent) {}

    public static String encode(String relayInstance, long seq, Instant sent) {
        Map<String, Object> canary = new LinkedHashMap<>();
        canary.put("relay", relayInstance);
        canary.put("seq", seq);
        canary.put("sent", sent.toString());
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", "canary:" + relayInstance + ":" + seq);
        event.put("title", TITLE);
        event.put("severity", "info");
        event.put("source", SOURCE);
        event.put("timestamp", sent.toString());
        event.put("labels", Map.of("relay", relayInstance));
        event.put(FIELD, canary);
        try {
            return MAPPER.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a canary", e);
        }
    }

    /**
     * Whether a decoded alert is a canary (from any relay instance): the pipeline absorbs these at the sinks' edge
     * and never delivers them.
     */
    public static boolean isCanary(Alert alert) {
        return TITLE.equals(alert.title()) && alert.extra().get(FIELD) instanceof Map;
    }

    /** The canary's stamp, if the alert is a well-formed canary. */
    public static Optional<Stamp> decode(Alert alert) {
        if (!isCanary(alert)) {
            return Optional.empty();
        }
        Map<?, ?> canary = (Map<?, ?>) alert.extra().get(FIELD);
        if (!(canary.get("relay") instanceof String relay) || !(canary.get("seq") instanceof Number seq)
                || !(canary.get("sent") instanceof String sent)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Stamp(relay, seq.longValue(), Instant.parse(sent)));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
