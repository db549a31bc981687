package io.alertrelay.sink.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.alertrelay.spi.Alert;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The body template: a JSON object whose string values may contain {@code {{field}}} placeholders.
 *
 * <p>Safe by construction: the template is parsed as JSON once, at configuration time, so its structure is fixed;
 * placeholders are replaced only inside string values of the parsed tree, in one pass (a value that itself contains
 * {@code {{title}}} is not expanded again), and the result is serialized by Jackson, which escapes every value. Event
 * data can therefore never add a field, close a string or break the JSON. A string that is exactly {@code "{{labels}}"}
 * or {@code "{{extra}}"} becomes that JSON object.
 *
 * <p>{@code {{...}}} rather than {@code ${...}}: the relay substitutes {@code ${NAME}} from the environment in every
 * config value before a sink sees it.
 */
final class WebhookTemplate {
    static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^{}\\s]*)\\s*}}");
    static final List<String> FIELDS = List.of("id", "title", "status", "severity", "summary", "source", "timestamp",
            "channel", "pattern", "received_at", "sink", "labels.<name>", "extra.<name>");
    private static final List<String> SCALAR_FIELDS = FIELDS.subList(0, 11);
    private static final List<String> OBJECT_FIELDS = List.of("labels", "extra");

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final ObjectNode tree;

    private WebhookTemplate(ObjectNode tree) {
        this.tree = tree;
    }

    /** Parses and checks a template; {@link IllegalArgumentException} says what is wrong without quoting it whole. */
    static WebhookTemplate parse(String text) {
        JsonNode tree;
        try {
            tree = STRICT.readTree(text);
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new IllegalArgumentException("is not valid JSON" + at
                    + " (placeholders go inside strings: \"{{title}}\")");
        }
        if (tree == null || !tree.isObject()) {
            throw new IllegalArgumentException("must be a JSON object ({...})");
        }
        check(tree);
        return new WebhookTemplate((ObjectNode) tree);
    }

    private static void check(JsonNode node) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (field.getKey().contains("{{")) {
                    throw new IllegalArgumentException("has a placeholder in a field name; placeholders are replaced"
                            + " in string values only");
                }
                check(field.getValue());
            }
        } else if (node.isArray()) {
            node.forEach(WebhookTemplate::check);
        } else if (node.isTextual()) {
            String text = node.textValue();
            Matcher matcher = PLACEHOLDER.matcher(text);
            while (matcher.find()) {
                String name = matcher.group(1);
                boolean whole = matcher.start() == 0 && matcher.end() == text.length();
                if (OBJECT_FIELDS.contains(name)) {
                    if (!whole) {
                        throw new IllegalArgumentException("uses {{" + name + "}} inside a longer string; it must be"
                                + " the whole string (\"{{" + name + "}}\"), or use {{" + name + ".<name>}}");
                    }
                } else if (!isKnown(name)) {
                    throw new IllegalArgumentException("has an unknown placeholder {{" + abbreviate(name)
                            + "}}; known: " + String.join(", ", FIELDS) + ", labels, extra");
                }
            }
        }
    }

    private static boolean isKnown(String name) {
        return SCALAR_FIELDS.contains(name)
                || (name.startsWith("labels.") && name.length() > "labels.".length())
                || (name.startsWith("extra.") && name.length() > "extra.".length());
    }

    /** The body for {@code alert}: a new tree, the template's structure with every placeholder replaced. */
    JsonNode render(Alert alert, String sinkId, ObjectMapper mapper) {
        return copy(tree, alert, sinkId, mapper);
    }

    private JsonNode copy(JsonNode node, Alert alert, String sinkId, ObjectMapper mapper) {
        if (node.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            node.fields().forEachRemaining(field -> out.set(field.getKey(), copy(field.getValue(), alert, sinkId, mapper)));
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            node.forEach(element -> out.add(copy(element, alert, sinkId, mapper)));
            return out;
        }
        if (!node.isTextual()) {
            return node.deepCopy();
        }
        String text = node.textValue();
        Matcher whole = PLACEHOLDER.matcher(text);
        if (whole.matches() && OBJECT_FIELDS.contains(whole.group(1))) {
            return mapper.valueToTree(whole.group(1).equals("labels") ? alert.labels() : alert.extra());
        }
        Matcher matcher = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder(text.length() + 64);
        while (matcher.find()) {
            matcher.appendReplacement(out, Matcher.quoteReplacement(value(matcher.group(1), alert, sinkId, mapper)));
        }
        matcher.appendTail(out);
        return JsonNodeFactory.instance.textNode(out.toString());
    }

    /** A placeholder's text; absent values are empty. */
    static String value(String name, Alert alert, String sinkId, ObjectMapper mapper) {
        if (name.startsWith("labels.")) {
            return alert.labels().getOrDefault(name.substring("labels.".length()), "");
        }
        if (name.startsWith("extra.")) {
            Object value = alert.extra().get(name.substring("extra.".length()));
            if (value == null) {
                return "";
            }
            if (value instanceof Map || value instanceof List) {
                try {
                    return mapper.writeValueAsString(value); // as JSON text, escaped again when the body is written
                } catch (JsonProcessingException e) {
                    return "";
                }
            }
            return String.valueOf(value);
        }
        return switch (name) {
            case "id" -> alert.id();
            case "title" -> alert.title();
            case "status" -> alert.status().name().toLowerCase(Locale.ROOT);
            case "severity" -> alert.severity().name().toLowerCase(Locale.ROOT);
            case "summary" -> alert.summary().orElse("");
            case "source" -> alert.source().orElse("");
            case "timestamp" -> alert.timestamp().map(Object::toString).orElse("");
            case "channel" -> alert.origin().channel();
            case "pattern" -> alert.origin().pattern().orElse("");
            case "received_at" -> alert.origin().receivedAt().toString();
            case "sink" -> sinkId;
            default -> ""; // parse() admits no other name
        };
    }

    private static String abbreviate(String name) {
        return name.length() <= 40 ? name : name.substring(0, 37) + "...";
    }
}
