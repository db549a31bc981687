package io.alertrelay.config;

import io.alertrelay.spi.ConfigView;
import io.alertrelay.spi.ConfigurationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads typed values from a {@link ConfigView}, recording every problem under its full key, and throws them all at
 * once from {@link #throwIfInvalid()} (Airlift/Micrometer style). Values of {@linkplain Sensitivity#SENSITIVE
 * sensitive} keys never appear in a message.
 *
 * <pre>{@code
 * ConfigBinder c = new ConfigBinder(view);
 * URI url = c.required("webhook-url", Parsers::httpUrl, Sensitivity.SENSITIVE);
 * Duration timeout = c.optional("timeout", Parsers::duration, Duration.ofSeconds(5));
 * c.check(timeout.compareTo(Duration.ofMinutes(1)) <= 0, "timeout", "must be at most 1m");
 * c.throwIfInvalid();
 * }</pre>
 */
public final class ConfigBinder {
    public enum Sensitivity { PLAIN, SENSITIVE }

    private final ConfigView view;
    private final List<String> problems = new ArrayList<>();

    public ConfigBinder(ConfigView view) {
        this.view = view;
    }

    public ConfigView view() {
        return view;
    }

    /** A required value; returns null (and records a problem) when absent or invalid. */
    public <T> T required(String key, Parser<T> parser) {
        return required(key, parser, Sensitivity.PLAIN);
    }

    public <T> T required(String key, Parser<T> parser, Sensitivity sensitivity) {
        int before = problems.size();
        Optional<String> raw = read(key);
        if (raw.isEmpty()) {
            if (problems.size() == before) { // a list or section where a value belongs was reported already
                problem(key, "is required");
            }
            return null;
        }
        return parse(key, raw.get(), parser, sensitivity).orElse(null);
    }

    public <T> T optional(String key, Parser<T> parser, T defaultValue) {
        return optional(key, parser, Sensitivity.PLAIN).orElse(defaultValue);
    }

    public <T> Optional<T> optional(String key, Parser<T> parser) {
        return optional(key, parser, Sensitivity.PLAIN);
    }

    public <T> Optional<T> optional(String key, Parser<T> parser, Sensitivity sensitivity) {
        Optional<String> raw = read(key);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        return parse(key, raw.get(), parser, sensitivity);
    }

    /** A list of values, each parsed; empty when absent. */
    public <T> List<T> list(String key, Parser<T> parser) {
        Optional<List<String>> raw;
        try {
            raw = view.getList(key);
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
            return List.of();
        }
        if (raw.isEmpty()) {
            return List.of();
        }
        List<T> values = new ArrayList<>();
        for (int i = 0; i < raw.get().size(); i++) {
            parse(key + "[" + i + "]", raw.get().get(i), parser, Sensitivity.PLAIN).ifPresent(values::add);
        }
        return List.copyOf(values);
    }

    /** Records {@code message} under {@code key} unless {@code condition} holds. */
    public void check(boolean condition, String key, String message) {
        if (!condition) {
            problem(key, message);
        }
    }

    /** Records a problem; {@code key} is local to this view. */
    public void problem(String key, String message) {
        problems.add(view.fullKey(key) + ": " + message);
    }

    /** Adds the problems of a nested binder or exception. */
    public void addAll(List<String> fullKeyProblems) {
        problems.addAll(fullKeyProblems);
    }

    public List<String> problems() {
        return List.copyOf(problems);
    }

    public boolean isValid() {
        return problems.isEmpty();
    }

    public void throwIfInvalid() {
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems);
        }
    }

    private Optional<String> read(String key) {
        try {
            return view.get(key);
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
            return Optional.empty();
        }
    }

    private <T> Optional<T> parse(String key, String raw, Parser<T> parser, Sensitivity sensitivity) {
        try {
            return Optional.ofNullable(parser.parse(raw));
        } catch (IllegalArgumentException e) {
            String what = e.getMessage() == null ? "is invalid" : e.getMessage();
            if (sensitivity == Sensitivity.SENSITIVE) {
                problem(key, "value " + what + " (value not shown: sensitive)");
            } else {
                problem(key, "'" + abbreviate(raw) + "' " + what);
            }
            return Optional.empty();
        }
    }

    private static String abbreviate(String value) {
        return value.length() <= 80 ? value : value.substring(0, 77) + "...";
    }
}
