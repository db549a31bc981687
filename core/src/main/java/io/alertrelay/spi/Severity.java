package io.alertrelay.spi;

import java.util.Locale;
import java.util.Optional;

/** How urgent an alert is. The event contract's default is {@link #WARNING}. */
public enum Severity {
    CRITICAL, ERROR, WARNING, INFO;

    /** The lower-case name used in events and config ({@code "critical"}). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the wire name, exactly as written in the event contract (lower case). */
    public static Optional<Severity> fromWireName(String value) {
        for (Severity severity : values()) {
            if (severity.wireName().equals(value)) {
                return Optional.of(severity);
            }
        }
        return Optional.empty();
    }
}
