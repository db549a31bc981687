package io.alertrelay.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The value parsers shared by all modules. Messages follow {@link Parser}'s convention. */
public final class Parsers {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern DATA_SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|KB|MB|GB)?");

    private Parsers() {}

    public static String string(String value) {
        if (value.isBlank()) {
            throw new IllegalArgumentException("must not be blank");
        }
        return value;
    }

    /**
     * The longest duration any key accepts: 3650d (10 years). Longer ones cannot be meant, and would overflow the
     * nanosecond arithmetic of timers ({@code Duration.toNanos} ends at about 106751d).
     */
    public static final Duration MAX_DURATION = Duration.ofDays(3650);

    /** The largest size any key accepts: 1 TiB (sizes are counted in bytes in a {@code long}). */
    public static final long MAX_DATA_SIZE = 1024L * 1024 * 1024 * 1024;

    /**
     * {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 1d}; {@code 0} is allowed where a caller permits it.
     * At most {@link #MAX_DURATION}; keys narrow this with {@link #duration(Duration, Duration)}.
     */
    public static Duration duration(String value) {
        String trimmed = value.trim();
        if (trimmed.equals("0")) {
            return Duration.ZERO;
        }
        Matcher matcher = DURATION.matcher(trimmed);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("is not a duration (e.g. 500ms, 10s, 2m)");
        }
        // at most 3650d in any unit fits in 13 digits (3650d = 315360000000ms); more digits cannot be in range
        if (matcher.group(1).replaceFirst("^0+(?=.)", "").length() > 13) {
            throw new IllegalArgumentException("is too long (at most " + format(MAX_DURATION) + ")");
        }
        long amount = Long.parseLong(matcher.group(1));
        Duration parsed = switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            default -> throw new IllegalArgumentException("is not a duration (e.g. 500ms, 10s, 2m)");
        };
        if (parsed.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException("is too long (at most " + format(MAX_DURATION) + ")");
        }
        return parsed;
    }

    /** A duration between {@code min} and {@code max} (inclusive); the message names the range. */
    public static Parser<Duration> duration(Duration min, Duration max) {
        return value -> {
            Duration parsed = duration(value);
            if (parsed.compareTo(min) < 0 || parsed.compareTo(max) > 0) {
                throw new IllegalArgumentException("is out of range (" + format(min) + " to " + format(max) + ")");
            }
            return parsed;
        };
    }

    /** A duration the way this config writes it: {@code 10s}, {@code 1500ms}, {@code 3650d}. */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0";
        }
        long millis = duration.toMillis();
        if (millis % 86_400_000L == 0) {
            return millis / 86_400_000L + "d";
        }
        if (millis % 3_600_000L == 0) {
            return millis / 3_600_000L + "h";
        }
        if (millis % 60_000L == 0) {
            return millis / 60_000L + "m";
        }
        if (millis % 1000L == 0) {
            return millis / 1000L + "s";
        }
        return millis + "ms";
    }

    /**
     * {@code 256KiB}, {@code 1MiB}, {@code 4096} (bytes). KB/MB/GB are read as powers of 1024 too. At most
     * {@link #MAX_DATA_SIZE}; keys narrow this with {@link #dataSize(long, long)}.
     */
    public static long dataSize(String value) {
        Matcher matcher = DATA_SIZE.matcher(value.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("is not a size (e.g. 4096, 256KiB, 1MiB)");
        }
        String unit = matcher.group(2) == null ? "B" : matcher.group(2);
        long multiplier = switch (unit) {
            case "B" -> 1;
            case "KiB", "KB" -> 1024;
            case "MiB", "MB" -> 1024 * 1024;
            case "GiB", "GB" -> 1024 * 1024 * 1024;
            default -> throw new IllegalArgumentException("is not a size (e.g. 4096, 256KiB, 1MiB)");
        };
        String digits = matcher.group(1).replaceFirst("^0+(?=.)", "");
        long amount = digits.length() > 13 ? Long.MAX_VALUE : Long.parseLong(digits); // 13 digits > 1 TiB in bytes
        if (amount > MAX_DATA_SIZE / multiplier) {
            throw new IllegalArgumentException("is too large (at most 1024GiB)");
        }
        return amount * multiplier;
    }

    /** A size between {@code min} and {@code max} bytes (inclusive); the message names the range. */
    public static Parser<Long> dataSize(long min, long max) {
        return value -> {
            long parsed = dataSize(value);
            if (parsed < min || parsed > max) {
                throw new IllegalArgumentException("is out of range (" + formatSize(min) + " to " + formatSize(max) + ")");
            }
            return parsed;
        };
    }

    /** A size the way this config writes it: {@code 64MiB}, {@code 1000}. */
    public static String formatSize(long bytes) {
        for (String unit : new String[] {"GiB", "MiB", "KiB"}) {
            long factor = switch (unit) {
                case "GiB" -> 1024L * 1024 * 1024;
                case "MiB" -> 1024L * 1024;
                default -> 1024L;
            };
            if (bytes >= factor && bytes % factor == 0) {
                return bytes / factor + unit;
            }
        }
        return Long.toString(bytes);
    }

    /** An integer between {@code min} and {@code max} (inclusive); the message names the range. */
    public static Parser<Integer> integer(int min, int max) {
        return value -> {
            int parsed = integer(value);
            if (parsed < min || parsed > max) {
                throw new IllegalArgumentException("is out of range (" + min + " to " + max + ")");
            }
            return parsed;
        };
    }

    public static int positiveInt(String value) {
        int parsed = integer(value);
        if (parsed <= 0) {
            throw new IllegalArgumentException("must be a positive integer");
        }
        return parsed;
    }

    public static int integer(String value) {
        String trimmed = value.trim();
        if (!trimmed.matches("[+-]?\\d+")) {
            throw new IllegalArgumentException("is not an integer");
        }
        try {
            return Integer.parseInt(trimmed);
        } catch (NumberFormatException e) { // digits, but more than an int holds; the message would quote the value
            throw new IllegalArgumentException("is out of range (at most " + Integer.MAX_VALUE + ")");
        }
    }

    /** Any double, including NaN and infinities: a key's own check says which range it accepts. */
    public static double number(String value) {
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("is not a number");
        }
    }

    public static boolean bool(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("is not a boolean (true or false)");
        };
    }

    /** An absolute http or https URL with a host. */
    public static URI httpUrl(String value) {
        URI uri;
        try {
            uri = new URI(value.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("is not an http or https URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("is not a URL with a host");
        }
        return uri;
    }

    /** {@code host:port}; IPv6 literals in brackets ({@code [::1]:6379}). */
    public static HostAndPort hostAndPort(String value) {
        return HostAndPort.parse(value);
    }

    /** One of the enum's constants, written in lower case with dashes ({@code subscribe-on: every-node}). */
    public static <E extends Enum<E>> Parser<E> enumValue(Class<E> type) {
        return value -> {
            String normalized = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equals(normalized)) {
                    return constant;
                }
            }
            throw new IllegalArgumentException("is not one of " + Arrays.stream(type.getEnumConstants())
                    .map(constant -> constant.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                    .collect(Collectors.joining(", ", "[", "]")));
        };
    }

    /** A {@code host:port} pair. */
    public record HostAndPort(String host, int port) {
        public static HostAndPort parse(String value) {
            String trimmed = value.trim();
            int colon = trimmed.lastIndexOf(':');
            if (colon <= 0 || colon == trimmed.length() - 1) {
                throw new IllegalArgumentException("is not host:port");
            }
            String host = trimmed.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
                if (host.isEmpty()) {
                    throw new IllegalArgumentException("is not host:port (empty host)");
                }
            } else if (host.contains(":") || host.contains("[") || host.contains("]")) {
                throw new IllegalArgumentException("is not host:port (write an IPv6 address in brackets: [::1]:6379)");
            }
            if (host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("is not host:port (host is empty or has spaces)");
            }
            int port;
            String portText = trimmed.substring(colon + 1);
            if (!portText.matches("\\d{1,5}")) {
                throw new IllegalArgumentException("is not host:port (port is not a number 1-65535)");
            }
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("is not host:port (port is not a number)");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("is not host:port (port must be 1-65535)");
            }
            return new HostAndPort(host, port);
        }

        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }
}
