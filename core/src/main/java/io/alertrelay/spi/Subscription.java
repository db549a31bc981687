package io.alertrelay.spi;

import static java.util.Objects.requireNonNull;

/**
 * A desired subscription: a channel (SUBSCRIBE) or a glob pattern (PSUBSCRIBE).
 */
public record Subscription(Kind kind, String name) {
    public enum Kind { CHANNEL, PATTERN }

    public Subscription {
        requireNonNull(kind, "kind is null");
        requireNonNull(name, "name is null");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("subscription name is empty");
        }
    }

    public static Subscription channel(String name) {
        return new Subscription(Kind.CHANNEL, name);
    }

    public static Subscription pattern(String name) {
        return new Subscription(Kind.PATTERN, name);
    }

    @Override
    public String toString() {
        return (kind == Kind.PATTERN ? "pattern " : "channel ") + name;
    }
}
