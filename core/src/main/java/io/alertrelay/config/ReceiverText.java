package io.alertrelay.config;

import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * What HTTP sinks need to read a receiver's answer the same way (JDK only, so every sink module may use it): the
 * {@code Retry-After} header, and a body excerpt made fit for a log line or a delivery detail.
 */
public final class ReceiverText {
    private ReceiverText() {}

    /**
     * The wait a {@code Retry-After} header asks for: delay-seconds or an HTTP date (RFC 1123), never negative.
     * Empty when absent or unreadable.
     */
    public static Optional<Duration> retryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String value = header.trim();
        if (value.chars().allMatch(Character::isDigit)) {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
            } catch (NumberFormatException e) {
                return Optional.empty(); // too many digits to mean anything
            }
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration wait = Duration.between(now, at);
            return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Control characters and runs of white space become one space; trimmed. */
    public static String oneLine(String raw) {
        StringBuilder out = new StringBuilder(Math.min(raw.length(), 1024));
        boolean space = false;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (Character.isISOControl(c) || Character.isWhitespace(c)) {
                space = out.length() > 0;
                continue;
            }
            if (space) {
                out.append(' ');
                space = false;
            }
            out.append(c);
        }
        return out.toString();
    }

    /** At most {@code max} characters, the last one {@code …} when cut; never splits a surrogate pair. */
    public static String truncate(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "…";
    }

    /** Okio reports a thread interrupt as InterruptedIOException("interrupted"); call timeouts say "timeout". */
    public static boolean isInterrupt(InterruptedIOException e) {
        return !(e instanceof SocketTimeoutException)
                && ("interrupted".equals(e.getMessage()) || Thread.currentThread().isInterrupted());
    }

    /**
     * {@code text} with every occurrence of each secret replaced, in any letter case (a receiver or a proxy may change
     * the case of what it echoes). Empty secrets are ignored.
     */
    public static String redact(String text, java.util.Collection<String> secrets, String replacement) {
        String result = text;
        for (String secret : secrets) {
            if (!secret.isEmpty()) {
                result = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(secret),
                        java.util.regex.Pattern.CASE_INSENSITIVE | java.util.regex.Pattern.UNICODE_CASE)
                        .matcher(result).replaceAll(java.util.regex.Matcher.quoteReplacement(replacement));
            }
        }
        return result;
    }
}
