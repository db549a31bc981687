package io.alertrelay.config;

/**
 * Turns a config string into a value. On bad input it throws {@link IllegalArgumentException} whose message says what
 * is wrong <em>without quoting the value</em> (the binder adds the value unless the key is sensitive), e.g.
 * {@code "is not a duration (e.g. 500ms, 10s, 2m)"}.
 */
@FunctionalInterface
public interface Parser<T> {
    T parse(String value);
}
