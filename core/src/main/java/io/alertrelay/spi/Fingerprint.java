package io.alertrelay.spi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * What makes two events the same alert: the same fingerprint. Repeats of a firing alert and its resolution share it.
 *
 * <p>The event's own {@code fingerprint} field (a non-blank string, kept in {@link Alert#extra()}) when it has one;
 * otherwise {@code f-} and the first 16 bytes (32 hex digits) of SHA-256 over the channel, the title and the labels
 * sorted by name, each part followed by a NUL and each label written {@code name=value}. The status, severity,
 * summary, timestamp and id are not part of it: a resolution, or the same alert reported again with new text, is the
 * same alert. Documented in {@code docs/event-contract.md}.
 */
public final class Fingerprint {
    /** The event field that, when present, is the fingerprint. */
    public static final String FIELD = "fingerprint";

    private Fingerprint() {}

    public static String of(Alert alert) {
        Object given = alert.extra().get(FIELD);
        if (given instanceof String text && !text.isBlank()) {
            return text;
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            update(digest, alert.origin().channel());
            update(digest, alert.title());
            for (Map.Entry<String, String> label : new TreeMap<>(alert.labels()).entrySet()) {
                update(digest, label.getKey() + "=" + label.getValue());
            }
            byte[] hash = digest.digest();
            return "f-" + HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static void update(MessageDigest digest, String part) {
        digest.update(part.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
    }
}
