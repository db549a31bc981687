package io.alertrelay.core;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.InboundMessage;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a raw message into an {@link Alert} or a {@link Rejection}, following {@code docs/event-contract.md}.
 * Thread-safe; never throws for bad input.
 */
public final class EventDecoder {
    /** Default for {@code events.max-size}. */
    public static final long DEFAULT_MAX_SIZE = 256 * 1024;
    static final int EXCERPT_LENGTH = 120;

    private static final Set<String> KNOWN_FIELDS =
            Set.of("id", "title", "status", "severity", "summary", "labels", "source", "timestamp");

    private final ObjectMapper mapper;
    private final long maxSize;

    public EventDecoder(long maxSize) {
        if (maxSize <= 0) {
            throw new IllegalArgumentException("maxSize must be positive");
        }
        this.maxSize = maxSize;
        this.mapper = JsonMapper.builder()
                .enable(JsonReadFeature.ALLOW_TRAILING_DECIMAL_POINT_FOR_NUMBERS)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
        // nesting bombs are refused by Jackson's own limits; the size limit bounds the rest
        this.mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    public long maxSize() {
        return maxSize;
    }

    /** Either an alert or the reason there is none. */
    public sealed interface Result permits Decoded, Rejected {}

    public record Decoded(Alert alert) implements Result {}

    public record Rejected(Rejection rejection) implements Result {}

    public Result decode(InboundMessage message) {
        String payload = message.payload();
        long size = utf8Length(payload); // counted, not encoded: no copy of the payload on the source's I/O thread
        if (size > maxSize) {
            return reject(Rejection.TOO_LARGE, "payload is " + size + " bytes; the limit (events.max-size) is " + maxSize,
                    message, size);
        }
        JsonNode root;
        try {
            root = mapper.readTree(payload);
        } catch (JsonProcessingException e) {
            return reject(Rejection.NOT_JSON, "not JSON: " + e.getOriginalMessage(), message, size);
        }
        if (root == null || !root.isObject()) {
            return reject(Rejection.NOT_JSON, "not a JSON object", message, size);
        }
        try {
            return new Decoded(toAlert(root, message));
        } catch (FieldException e) {
            return reject(e.reason, e.getMessage(), message, size);
        }
    }

    private Alert toAlert(JsonNode root, InboundMessage message) {
        JsonNode titleNode = root.get("title");
        if (titleNode == null || titleNode.isNull()) {
            throw new FieldException(Rejection.MISSING_TITLE, "field 'title' is required");
        }
        String title = text(root, "title").orElseThrow();
        if (title.isBlank()) {
            throw new FieldException(Rejection.MISSING_TITLE, "field 'title' is blank");
        }
        Status status = text(root, "status")
                .map(value -> Status.fromWireName(value).orElseThrow(() -> new FieldException(Rejection.WRONG_TYPE,
                        "field 'status' must be firing or resolved")))
                .orElse(Status.FIRING);
        Severity severity = text(root, "severity")
                .map(value -> Severity.fromWireName(value).orElseThrow(() -> new FieldException(Rejection.WRONG_TYPE,
                        "field 'severity' must be critical, error, warning or info")))
                .orElse(Severity.WARNING);
        Optional<Instant> timestamp = text(root, "timestamp").map(EventDecoder::instant);
        String id = text(root, "id").filter(value -> !value.isBlank())
                .orElseGet(() -> stableId(message.channel(), message.payload()));

        Map<String, Object> extra = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!KNOWN_FIELDS.contains(field.getKey())) {
                extra.put(field.getKey(), plain(field.getValue()));
            }
        }
        return new Alert(id, title, status, severity, text(root, "summary"), labels(root), text(root, "source"),
                timestamp, extra, new Alert.Origin(message.channel(), message.pattern(), message.receivedAt()));
    }

    /**
     * A JSON value as plain JDK values: String, Boolean, null, Integer/Long/BigInteger or Double/BigDecimal as Jackson
     * read them, List and insertion-ordered Map. What {@code ObjectMapper.convertValue(node, Object.class)} gives,
     * without its token buffer (a third of the decoder's allocation for an event with extra fields).
     */
    private static Object plain(JsonNode node) {
        switch (node.getNodeType()) {
            case STRING:
                return node.textValue();
            case NUMBER:
                return node.numberValue();
            case BOOLEAN:
                return node.booleanValue();
            case ARRAY: {
                java.util.List<Object> list = new java.util.ArrayList<>(node.size());
                for (JsonNode element : node) {
                    list.add(plain(element));
                }
                return list;
            }
            case OBJECT: {
                Map<String, Object> map = new LinkedHashMap<>();
                Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    map.put(field.getKey(), plain(field.getValue()));
                }
                return map;
            }
            default: // NULL (MISSING, BINARY and POJO do not come out of a parsed text)
                return null;
        }
    }

    private static Optional<String> text(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw new FieldException(Rejection.WRONG_TYPE,
                    "field '" + field + "' must be a string, not " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        return Optional.of(node.asText());
    }

    private static Map<String, String> labels(JsonNode root) {
        JsonNode node = root.get("labels");
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new FieldException(Rejection.WRONG_TYPE, "field 'labels' must be an object of strings");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> label = fields.next();
            JsonNode value = label.getValue();
            if (value.isTextual() || value.isNumber() || value.isBoolean()) {
                labels.put(label.getKey(), value.asText());
            } else {
                throw new FieldException(Rejection.WRONG_TYPE,
                        "label '" + label.getKey() + "' must be a string, number or boolean");
            }
        }
        return labels;
    }

    private static Instant instant(String value) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new FieldException(Rejection.WRONG_TYPE,
                    "field 'timestamp' must be an ISO-8601 date-time with offset (e.g. 2026-11-23T10:00:00Z)");
        }
    }

    /** {@code h-} and the first 20 hex digits of SHA-256 over channel, a NUL and the payload. */
    static String stableId(String channel, String payload) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(channel.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(payload.getBytes(StandardCharsets.UTF_8));
            return "h-" + HexFormat.of().formatHex(digest.digest()).substring(0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static Rejected reject(String reason, String detail, InboundMessage message, long size) {
        return new Rejected(new Rejection(reason, detail, message.channel(), excerpt(message.payload()), size,
                message.receivedAt()));
    }

    /** The first {@value #EXCERPT_LENGTH} characters, with control characters escaped so a log line stays one line. */
    static String excerpt(String payload) {
        String head = payload.length() > EXCERPT_LENGTH ? payload.substring(0, EXCERPT_LENGTH) : payload;
        StringBuilder result = new StringBuilder(head.length() + 8);
        for (int i = 0; i < head.length(); i++) {
            char c = head.charAt(i);
            if (c == '\n') {
                result.append("\\n");
            } else if (c == '\r') {
                result.append("\\r");
            } else if (c == '\t') {
                result.append("\\t");
            } else if (Character.isISOControl(c)) {
                result.append(String.format("\\u%04x", (int) c));
            } else {
                result.append(c);
            }
        }
        if (payload.length() > EXCERPT_LENGTH) {
            result.append("…");
        }
        return result.toString();
    }

    private static long utf8Length(String text) {
        long length = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                length += 1;
            } else if (c < 0x800) {
                length += 2;
            } else if (Character.isHighSurrogate(c)) {
                length += 4;
                i++;
            } else {
                length += 3;
            }
        }
        return length;
    }

    private static final class FieldException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String reason;

        FieldException(String reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }
}
