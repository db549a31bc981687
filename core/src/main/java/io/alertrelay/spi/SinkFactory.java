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

    /**
     * Validates {@code config} as {@link #create} would, reporting every problem at once in one
     * {@link ConfigurationException}, and reads every key it uses (so the host can report the others as unknown),
     * without creating a sink. The host validates the whole configuration first and creates sinks only when all of it
     * is valid (and again on reload), so a configuration object never holds live resources.
     *
     * <p>The default creates a sink and closes it at once, which is correct because {@code create} makes no network
     * call; a factory whose sinks hold resources from creation (a client, a thread pool) overrides it to only parse.
     */
    default void validate(ConfigView config, SinkContext context) {
        create(config, context).close();
    }
}
