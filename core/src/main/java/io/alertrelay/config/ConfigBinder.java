package io.alertrelay.config;

import io.alertrelay.spi.ConfigView;
import io.alertrelay.spi.ConfigurationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads typed values from a {@link ConfigView}, recording every problem under its full key, and throws them all at
 * once from {@link #throwIfInvalid()} (Airlift/Micrometer style). Values read with {@link #secret} or
 * {@link #requiredSecret} never appear in a message or in the effective-configuration log.
 *
 * <p>One method per intent, no overloads a method reference could make ambiguous: {@link #required},
 * {@link #requiredSecret}, {@link #optional(String, Parser)}, {@link #optional(String, Parser, Object) optional with a
 * default}, {@link #secret}, {@link #list}, {@link #isPresent}, {@link #section} and {@link #sectionList}. A section
 * binder shares its parent's problems, so one {@link #throwIfInvalid()} at the top reports them all; a key that holds a
 * value where a section belongs is recorded as a problem and read as an empty section, so no caller needs a try/catch.
 *
 * <pre>{@code
 * ConfigBinder c = new ConfigBinder(view);
 * ConfigBinder.Required<URI> url = c.requiredSecret("webhook-url", Parsers::httpUrl);
 * Duration timeout = c.optional("timeout", Parsers.duration(Duration.ofMillis(100), Duration.ofMinutes(1)),
 *         Duration.ofSeconds(5));
 * c.throwIfInvalid();
 * return new MyConfig(url.get(), timeout);   // get() never returns null; it is valid after throwIfInvalid()
 * }</pre>
 */
public final class ConfigBinder {
    private final ConfigView view;
    private final List<String> problems;

    public ConfigBinder(ConfigView view) {
        this(view, new ArrayList<>());
    }

    private ConfigBinder(ConfigView view, List<String> problems) {
        this.view = view;
        this.problems = problems;
    }

    /**
     * A required value, read once. {@link #get()} returns it (never null) once the binder is valid; when the key was
     * absent or invalid the binder holds a problem for it and {@code get()} throws {@link IllegalStateException}.
     */
    public static final class Required<T> {
        private final String fullKey;
        private final T value;

        private Required(String fullKey, T value) {
            this.fullKey = fullKey;
            this.value = value;
        }

        /** The value; throws {@link IllegalStateException} when it is missing or invalid (a problem is recorded). */
        public T get() {
            if (value == null) {
                throw new IllegalStateException(fullKey + " is missing or invalid; call throwIfInvalid() before get()");
            }
            return value;
        }

        public boolean isValid() {
            return value != null;
        }

        /** The value if it was present and valid, for checks that combine keys before {@code throwIfInvalid()}. */
        public Optional<T> asOptional() {
            return Optional.ofNullable(value);
        }
    }

    public ConfigView view() {
        return view;
    }

    /** The full key of a local key ({@code sinks.ops.timeout}). */
    public String fullKey(String key) {
        return view.fullKey(key);
    }

    /** The local keys of this section. */
    public Set<String> keys() {
        return view.keys();
    }

    /** Whether {@code key} is present with a value, list or section (a key written with nothing after it is not). */
    public boolean isPresent(String key) {
        if (view instanceof TreeConfigView tree) {
            return tree.has(key);
        }
        return view.keys().contains(key);
    }

    /** A required plain value. */
    public <T> Required<T> required(String key, Parser<T> parser) {
        return required(key, parser, false);
    }

    /** A required sensitive value: never quoted in a problem, masked in the effective configuration. */
    public <T> Required<T> requiredSecret(String key, Parser<T> parser) {
        return required(key, parser, true);
    }

    /** An optional plain value. */
    public <T> Optional<T> optional(String key, Parser<T> parser) {
        return read(key, parser, false, null);
    }

    /** An optional plain value with a default, which the effective configuration shows as such. */
    public <T> T optional(String key, Parser<T> parser, T defaultValue) {
        return read(key, parser, false, defaultValue).orElse(defaultValue);
    }

    /** An optional sensitive value: never quoted in a problem, masked in the effective configuration. */
    public <T> Optional<T> secret(String key, Parser<T> parser) {
        return read(key, parser, true, null);
    }

    /** A list of plain values, each parsed; empty when absent. */
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
            parse(key + "[" + i + "]", raw.get().get(i), parser, false).ifPresent(values::add);
        }
        effective(key, String.join(", ", raw.get()));
        return List.copyOf(values);
    }

    /**
     * The section under {@code key}, as a binder sharing this one's problems. Absent: an empty section. Not a section:
     * a problem is recorded and an empty section returned.
     */
    public ConfigBinder section(String key) {
        try {
            return new ConfigBinder(view.section(key), problems);
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
            return new ConfigBinder(TreeConfigView.empty(view.fullKey(key)), problems);
        }
    }

    /**
     * A list of sections ({@code subscriptions: [{pattern: ...}]}), each a binder sharing this one's problems; a
     * problem (and no sections) when it is not a list of sections.
     */
    public List<ConfigBinder> sectionList(String key) {
        if (!(view instanceof TreeConfigView tree)) {
            problem(key, "a list of sections is not readable from this view");
            return List.of();
        }
        try {
            return tree.sectionList(key).stream().map(section -> new ConfigBinder(section, problems)).toList();
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
            return List.of();
        }
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

    /** Adds problems that already carry full keys (a nested reader's, or a {@link ConfigurationException}'s). */
    public void addAll(List<String> fullKeyProblems) {
        problems.addAll(fullKeyProblems);
    }

    /** Every problem recorded by this binder and the section binders made from it (and their parents). */
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

    private <T> Required<T> required(String key, Parser<T> parser, boolean sensitive) {
        int before = problems.size();
        Optional<String> raw = raw(key);
        if (raw.isEmpty()) {
            if (problems.size() == before) { // a list or section where a value belongs was reported already
                problem(key, "is required");
            }
            return new Required<>(view.fullKey(key), null);
        }
        effective(key, sensitive ? TreeConfigView.MASK : raw.get());
        return new Required<>(view.fullKey(key), parse(key, raw.get(), parser, sensitive).orElse(null));
    }

    private <T> Optional<T> read(String key, Parser<T> parser, boolean sensitive, Object defaultValue) {
        Optional<String> raw = raw(key);
        if (raw.isEmpty()) {
            effective(key, defaultValue == null ? "(not set)" : show(defaultValue) + " (default)");
            return Optional.empty();
        }
        effective(key, sensitive ? TreeConfigView.MASK : raw.get());
        return parse(key, raw.get(), parser, sensitive);
    }

    private Optional<String> raw(String key) {
        try {
            return view.get(key);
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
            return Optional.empty();
        }
    }

    private void effective(String key, String shown) {
        if (view instanceof TreeConfigView tree) {
            tree.recordEffective(key, shown);
        }
    }

    private static String show(Object value) {
        if (value instanceof Duration duration) {
            return Parsers.format(duration);
        }
        return String.valueOf(value);
    }

    private <T> Optional<T> parse(String key, String raw, Parser<T> parser, boolean sensitive) {
        try {
            return Optional.ofNullable(parser.parse(raw));
        } catch (RuntimeException e) {
            // a parser's message says what is wrong without the value; a library's (NumberFormatException,
            // ArithmeticException) may quote it, or say nothing useful, so it is never passed on
            String what = e.getClass() == IllegalArgumentException.class && e.getMessage() != null
                    && !(sensitive && raw.length() >= 4 && e.getMessage().contains(raw)) ? e.getMessage() : "is invalid";
            if (sensitive) {
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
