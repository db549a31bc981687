package io.alertrelay.spi;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A read-only view of one section of the relay's configuration ({@code sinks.ops-slack}, say).
 *
 * <p>Values are strings after environment substitution; lists are lists of strings. Reading a key marks it used; the
 * host reports keys nobody read as unknown (with a did-you-mean suggestion).
 */
public interface ConfigView {
    /** The section's full key ({@code sinks.ops-slack}); {@link #fullKey} joins it to a local key. */
    String prefix();

    default String fullKey(String key) {
        return prefix().isEmpty() ? key : prefix() + "." + key;
    }

    /** The local keys present in this section. */
    Set<String> keys();

    /** A scalar value, or empty when the key is absent or null. Throws {@link ConfigurationException} for a list or map. */
    Optional<String> get(String key);

    /** A list of scalars (a single scalar counts as a one-element list), or empty when absent. */
    Optional<List<String>> getList(String key);

    /** A nested section. Its keys are relative to {@code prefix() + "." + key}. */
    ConfigView section(String key);
}
