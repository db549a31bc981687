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

    /** {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 1d}; {@code 0} is allowed where a caller permits it. */
    public static Duration duration(String value) {
        String trimmed = value.trim();
        if (trimmed.equals("0")) {
            return Duration.ZERO;
        }
        Matcher matcher = DURATION.matcher(trimmed);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("is not a duration (e.g. 500ms, 10s, 2m)");
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            default -> throw new IllegalArgumentException("is not a duration (e.g. 500ms, 10s, 2m)");
        };
    }

    /** {@code 256KiB}, {@code 1MiB}, {@code 4096} (bytes). KB/MB/GB are read as powers of 1024 too. */
    public static long dataSize(String value) {
        Matcher matcher = DATA_SIZE.matcher(value.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("is not a size (e.g. 4096, 256KiB, 1MiB)");
        }
        long amount = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "B" : matcher.group(2);
        return switch (unit) {
            case "B" -> amount;
            case "KiB", "KB" -> amount * 1024;
            case "MiB", "MB" -> amount * 1024 * 1024;
            case "GiB", "GB" -> amount * 1024 * 1024 * 1024;
            default -> throw new IllegalArgumentException("is not a size (e.g. 4096, 256KiB, 1MiB)");
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
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("is not an integer");
        }
    }

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
            }
            int port;
            try {
                port = Integer.parseInt(trimmed.substring(colon + 1));
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
