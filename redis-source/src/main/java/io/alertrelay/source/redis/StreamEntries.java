package io.alertrelay.source.redis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/** The pure decisions of the stream source, apart from any connection (unit-tested). */
final class StreamEntries {
    private StreamEntries() {}

    /** The event of an entry: the configured field's value, or empty when the entry has no such field (poison). */
    static Optional<String> payload(Map<String, String> fields, String field) {
        return Optional.ofNullable(fields.get(field));
    }

    /** What a poison entry without the field is recorded as: names the fields it has (not their values). */
    static String missingFieldDetail(String id, Map<String, String> fields, String field) {
        return "stream entry " + id + " has no field '" + field + "' (fields: " + String.join(", ", fields.keySet())
                + ")";
    }

    /** A pending entry as XPENDING reports it. */
    record Pending(String id, String consumer, long deliveries) {}

    /**
     * Pending entries delivered more than {@code maxDeliveries} times and never acknowledged, that are not being handled
     * here right now: these are given up (recorded as a rejection and acknowledged) instead of claimed again.
     */
    static List<Pending> overDelivered(Collection<Pending> pending, int maxDeliveries, Set<String> inFlight) {
        List<Pending> result = new ArrayList<>();
        for (Pending entry : pending) {
            if (entry.deliveries() > maxDeliveries && !inFlight.contains(entry.id())) {
                result.add(entry);
            }
        }
        return result;
    }

    /**
     * The consumer group's lag from an {@code XINFO GROUPS} reply (a list of groups, each a flat key/value list in RESP2
     * or a map in RESP3): the number of entries not yet delivered to the group. Empty when the group is absent or Redis
     * cannot tell (the {@code lag} field is nil after deletions or XSETID, and absent before Redis 7).
     */
    static OptionalLong lag(List<Object> xinfoGroups, String group) {
        if (xinfoGroups == null) {
            return OptionalLong.empty();
        }
        for (Object item : xinfoGroups) {
            Map<String, Object> fields = fields(item);
            if (group.equals(text(fields.get("name")))) {
                Object lag = fields.get("lag");
                if (lag instanceof Number number) {
                    return OptionalLong.of(number.longValue());
                }
                String value = text(lag);
                if (value != null) {
                    try {
                        return OptionalLong.of(Long.parseLong(value));
                    } catch (NumberFormatException e) {
                        return OptionalLong.empty();
                    }
                }
                return OptionalLong.empty();
            }
        }
        return OptionalLong.empty();
    }

    private static Map<String, Object> fields(Object item) {
        Map<String, Object> fields = new java.util.HashMap<>();
        if (item instanceof Map<?, ?> map) {
            map.forEach((key, value) -> fields.put(text(key), value));
        } else if (item instanceof List<?> list) {
            for (int i = 0; i + 1 < list.size(); i += 2) {
                fields.put(text(list.get(i)), list.get(i + 1));
            }
        }
        return fields;
    }

    private static String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof byte[] bytes) {
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
        if (value instanceof java.nio.ByteBuffer buffer) {
            return java.nio.charset.StandardCharsets.UTF_8.decode(buffer.duplicate()).toString();
        }
        return value.toString();
    }
}
