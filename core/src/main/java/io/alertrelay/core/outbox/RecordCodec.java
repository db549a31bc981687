package io.alertrelay.core.outbox;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The stored form of notifications and dead letters: small JSON documents, so a store can be read with any tool and a
 * new field is no migration. Fields are written explicitly (no reflection over the SPI records): the stored format is a
 * contract of its own and must not change when a record gains a component.
 */
final class RecordCodec {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> EXTRA = new TypeReference<>() {};

    private RecordCodec() {}

    static byte[] pending(Notification notification) {
        // streamed, not built as a tree: this runs for every notification on the outbox's one flusher thread
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator json = JSON.getFactory().createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberField("v", 1);
            json.writeStringField("sink", notification.sinkId());
            json.writeStringField("createdAt", notification.createdAt().toString());
            json.writeFieldName("alert");
            writeAlert(json, notification.alert());
            if (notification.alerts().size() > 1) {
                // a group: "alert" is their digest (what older readers and dead letters see), "alerts" each one
                json.writeArrayFieldStart("alerts");
                for (Alert alert : notification.alerts()) {
                    writeAlert(json, alert);
                }
                json.writeEndArray();
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeAlert(JsonGenerator json, Alert alert) throws IOException {
        json.writeStartObject();
        json.writeStringField("id", alert.id());
        json.writeStringField("title", alert.title());
        json.writeStringField("status", alert.status().wireName());
        json.writeStringField("severity", alert.severity().wireName());
        if (alert.summary().isPresent()) {
            json.writeStringField("summary", alert.summary().get());
        }
        json.writeObjectFieldStart("labels");
        for (Map.Entry<String, String> label : alert.labels().entrySet()) {
            json.writeStringField(label.getKey(), label.getValue());
        }
        json.writeEndObject();
        if (alert.source().isPresent()) {
            json.writeStringField("source", alert.source().get());
        }
        if (alert.timestamp().isPresent()) {
            json.writeStringField("timestamp", alert.timestamp().get().toString());
        }
        json.writeFieldName("extra");
        if (alert.extra().isEmpty()) {
            json.writeStartObject();
            json.writeEndObject();
        } else {
            JSON.writeValue(json, alert.extra());
        }
        json.writeObjectFieldStart("origin");
        json.writeStringField("channel", alert.origin().channel());
        if (alert.origin().pattern().isPresent()) {
            json.writeStringField("pattern", alert.origin().pattern().get());
        }
        json.writeStringField("receivedAt", alert.origin().receivedAt().toString());
        json.writeEndObject();
        json.writeEndObject();
    }

    static Notification pending(long id, byte[] bytes) throws IOException {
        JsonNode root = JSON.readTree(bytes);
        Alert alert = alert(root.required("alert"));
        JsonNode group = root.get("alerts");
        if (group == null || !group.isArray() || group.size() < 2) {
            // one alert: every record written before groups existed
            return new Notification(id, text(root, "sink"), alert, Instant.parse(text(root, "createdAt")));
        }
        List<Alert> alerts = new ArrayList<>(group.size());
        for (JsonNode each : group) {
            alerts.add(alert(each));
        }
        return new Notification(id, text(root, "sink"), alert, Instant.parse(text(root, "createdAt")), alerts);
    }

    /** One alert as a JSON document (the stored form of {@link #pending}'s {@code alert}). */
    static String alertJson(Alert alert) {
        return alert(alert).toString();
    }

    static Alert alertFromJson(String json) throws IOException {
        return alert(JSON.readTree(json));
    }

    static byte[] deadLetter(DeadLetter letter) {
        ObjectNode root = JSON.createObjectNode();
        root.put("v", 1);
        root.put("sink", letter.sinkId());
        root.put("createdAt", letter.createdAt().toString());
        root.put("diedAt", letter.diedAt().toString());
        root.put("attempts", letter.attempts());
        root.put("reason", letter.reason());
        root.put("answer", letter.answer());
        root.set("alert", alert(letter.alert()));
        return bytes(root);
    }

    static DeadLetter deadLetter(long id, byte[] bytes) throws IOException {
        JsonNode root = JSON.readTree(bytes);
        return new DeadLetter(id, text(root, "sink"), alert(root.required("alert")),
                Instant.parse(text(root, "createdAt")), Instant.parse(text(root, "diedAt")),
                root.path("attempts").asInt(), text(root, "reason"), text(root, "answer"));
    }

    private static ObjectNode alert(Alert alert) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", alert.id());
        node.put("title", alert.title());
        node.put("status", alert.status().wireName());
        node.put("severity", alert.severity().wireName());
        alert.summary().ifPresent(summary -> node.put("summary", summary));
        ObjectNode labels = node.putObject("labels");
        alert.labels().forEach(labels::put);
        alert.source().ifPresent(source -> node.put("source", source));
        alert.timestamp().ifPresent(timestamp -> node.put("timestamp", timestamp.toString()));
        node.set("extra", JSON.valueToTree(alert.extra()));
        ObjectNode origin = node.putObject("origin");
        origin.put("channel", alert.origin().channel());
        alert.origin().pattern().ifPresent(pattern -> origin.put("pattern", pattern));
        origin.put("receivedAt", alert.origin().receivedAt().toString());
        return node;
    }

    private static Alert alert(JsonNode node) throws IOException {
        Map<String, String> labels = new LinkedHashMap<>();
        node.path("labels").fields().forEachRemaining(field -> labels.put(field.getKey(), field.getValue().asText()));
        Map<String, Object> extra = node.has("extra") ? JSON.convertValue(node.get("extra"), EXTRA) : Map.of();
        JsonNode origin = node.required("origin");
        return new Alert(text(node, "id"), text(node, "title"),
                Status.fromWireName(text(node, "status")).orElseThrow(() -> new IOException("bad status")),
                Severity.fromWireName(text(node, "severity")).orElseThrow(() -> new IOException("bad severity")),
                optional(node, "summary"), labels, optional(node, "source"),
                optional(node, "timestamp").map(Instant::parse), extra == null ? Map.of() : extra,
                new Alert.Origin(text(origin, "channel"), optional(origin, "pattern"),
                        Instant.parse(text(origin, "receivedAt"))));
    }

    private static String text(JsonNode node, String field) throws IOException {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IOException("field " + field + " missing");
        }
        return value.asText();
    }

    private static Optional<String> optional(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
