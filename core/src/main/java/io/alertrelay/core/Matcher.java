package io.alertrelay.core;

import static java.util.Objects.requireNonNull;

import io.alertrelay.spi.Alert;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One condition on an alert, in Alertmanager's matcher syntax: {@code name=value}, {@code name!=value},
 * {@code name=~regex}, {@code name!~regex}. The value may be double-quoted ({@code service="a b"}); a regex is anchored
 * at both ends, as in Alertmanager ({@code service=~"db-.*"} matches {@code db-1}, not {@code old-db-1}).
 *
 * <p>The name is looked up with {@link #value(Alert, String)}: the event's label of that name; where the event has no
 * such label, the names {@code severity}, {@code status}, {@code channel}, {@code title} and {@code source} stand for
 * those fields of the alert. A name the alert has neither as label nor field has the value {@code ""}, so
 * {@code team!=ops} matches an alert without a {@code team} label and {@code team=""} matches only those.
 */
public record Matcher(String name, Op op, String value, Optional<Pattern> regex) {
    /** The four operators. */
    public enum Op {
        EQUAL("="), NOT_EQUAL("!="), REGEX("=~"), NOT_REGEX("!~");

        private final String text;

        Op(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    public Matcher {
        requireNonNull(name, "name is null");
        requireNonNull(op, "op is null");
        requireNonNull(value, "value is null");
        requireNonNull(regex, "regex is null");
    }

    /** An equality matcher ({@code name=value}). */
    public static Matcher equal(String name, String value) {
        return new Matcher(name, Op.EQUAL, value, Optional.empty());
    }

    /**
     * Parses {@code name<op>value}.
     *
     * @throws IllegalArgumentException with a message fit for a config error (neither key nor text: the caller adds
     *                                  them)
     */
    public static Matcher parse(String text) {
        requireNonNull(text, "text is null");
        String trimmed = text.trim();
        int at = -1;
        for (int i = 0; i < trimmed.length(); i++) {
            char c = trimmed.charAt(i);
            if (c == '=' || c == '!') {
                at = i;
                break;
            }
        }
        if (at <= 0) {
            throw new IllegalArgumentException("is not a matcher; write name=value, name!=value, name=~regex or "
                    + "name!~regex");
        }
        String name = trimmed.substring(0, at).trim();
        if (!name.matches("[A-Za-z_][A-Za-z0-9_.\\-]*")) {
            throw new IllegalArgumentException("'" + name + "' is not a label name");
        }
        String rest = trimmed.substring(at);
        Op op;
        if (rest.startsWith("=~")) {
            op = Op.REGEX;
        } else if (rest.startsWith("!~")) {
            op = Op.NOT_REGEX;
        } else if (rest.startsWith("!=")) {
            op = Op.NOT_EQUAL;
        } else if (rest.startsWith("=")) {
            op = Op.EQUAL;
        } else {
            throw new IllegalArgumentException("expected =, !=, =~ or !~ after '" + name + "'");
        }
        String value = unquote(rest.substring(op.text().length()).trim());
        Optional<Pattern> regex = Optional.empty();
        if (op == Op.REGEX || op == Op.NOT_REGEX) {
            try {
                regex = Optional.of(Pattern.compile("^(?:" + value + ")$"));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("not a valid regular expression: " + e.getDescription());
            }
        }
        return new Matcher(name, op, value, regex);
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            StringBuilder out = new StringBuilder();
            for (int i = 1; i < value.length() - 1; i++) {
                char c = value.charAt(i);
                if (c == '\\' && i + 1 < value.length() - 1) {
                    c = value.charAt(++i);
                }
                out.append(c);
            }
            return out.toString();
        }
        if (value.startsWith("\"")) {
            throw new IllegalArgumentException("unterminated quote");
        }
        return value;
    }

    public boolean matches(Alert alert) {
        String actual = value(alert, name);
        return switch (op) {
            case EQUAL -> actual.equals(value);
            case NOT_EQUAL -> !actual.equals(value);
            case REGEX -> regex.orElseThrow().matcher(actual).matches();
            case NOT_REGEX -> !regex.orElseThrow().matcher(actual).matches();
        };
    }

    /**
     * What a matcher or {@code group-by} sees under {@code name}: the label, else the alert field of that name
     * ({@code severity}, {@code status}, {@code channel}, {@code title}, {@code source}), else {@code ""}.
     */
    public static String value(Alert alert, String name) {
        String label = alert.labels().get(name);
        if (label != null) {
            return label;
        }
        return switch (name) {
            case "severity" -> alert.severity().wireName();
            case "status" -> alert.status().wireName();
            case "channel" -> alert.origin().channel();
            case "title" -> alert.title();
            case "source" -> alert.source().orElse("");
            default -> "";
        };
    }

    @Override
    public String toString() {
        boolean plain = value.matches("[A-Za-z0-9_.:/\\-*]*") && !value.isEmpty();
        return name + op.text() + (plain ? value : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Matcher that && name.equals(that.name) && op == that.op && value.equals(that.value);
    }

    @Override
    public int hashCode() {
        return (name.hashCode() * 31 + op.hashCode()) * 31 + value.hashCode();
    }
}
