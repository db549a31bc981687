package io.alertrelay.spi;

/**
 * Creates sinks of one type. Found through {@link java.util.ServiceLoader}: list the implementation in
 * {@code META-INF/services/io.alertrelay.spi.SinkFactory}; it needs a public no-argument constructor.
 */
public interface SinkFactory {
    /** The type key used in config ({@code sinks.<id>.type: slack}). Unique among the factories on the class path. */
    String name();

    /**
     * Validates {@code config} fully and creates a sink. Reports every problem at once in one
     * {@link ConfigurationException}, each naming its full key. Makes no network calls.
     *
     * @param config the keys under {@code sinks.<id>}, without {@code type}; every key must be read or it is reported
     *               as unknown
     */
    Sink create(ConfigView config, SinkContext context);
}
