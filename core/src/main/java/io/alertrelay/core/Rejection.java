package io.alertrelay.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A message that could not be decoded into an alert.
 *
 * @param reason   a stable machine-readable reason ({@code not_json}, {@code missing_title}, {@code wrong_type},
 *                 {@code too_large}, {@code missing_field})
 * @param detail   what exactly is wrong, for humans
 * @param channel  where it was published
 * @param excerpt  the first characters of the payload, control characters escaped
 * @param size     the payload's length in bytes (UTF-8)
 * @param at       when it was received
 */
public record Rejection(String reason, String detail, String channel, String excerpt, long size, Instant at) {
    public static final String NOT_JSON = "not_json";
    public static final String MISSING_TITLE = "missing_title";
    public static final String WRONG_TYPE = "wrong_type";
    public static final String TOO_LARGE = "too_large";
    /** A stream entry without the field that holds the event ({@code field} of a {@code stream} subscription). */
    public static final String MISSING_FIELD = "missing_field";

    public Rejection {
        requireNonNull(reason, "reason is null");
        requireNonNull(detail, "detail is null");
        requireNonNull(channel, "channel is null");
        requireNonNull(excerpt, "excerpt is null");
        requireNonNull(at, "at is null");
    }
}
