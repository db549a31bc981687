package io.alertrelay.spi;

import java.util.Locale;
import java.util.Optional;

/** Whether an alert reports a problem ({@link #FIRING}, the default) or its end ({@link #RESOLVED}). */
public enum Status {
    FIRING, RESOLVED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Status> fromWireName(String value) {
        for (Status status : values()) {
            if (status.wireName().equals(value)) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }
}
