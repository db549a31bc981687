package io.alertrelay.sink.console;

import io.alertrelay.config.ConfigBinder;
import io.alertrelay.config.Parsers;
import io.alertrelay.spi.ConfigView;
import io.alertrelay.spi.Sink;
import io.alertrelay.spi.SinkContext;
import io.alertrelay.spi.SinkFactory;
import java.io.PrintStream;

/**
 * {@code type: console}: one readable line per notification on standard output. The local default's sink.
 *
 * <p>Keys: {@code show-labels} (default true).
 */
public final class ConsoleSinkFactory implements SinkFactory {
    @Override
    public String name() {
        return "console";
    }

    @Override
    public Sink create(ConfigView config, SinkContext context) {
        ConfigBinder binder = new ConfigBinder(config);
        boolean showLabels = binder.optional("show-labels", Parsers::bool, true);
        binder.throwIfInvalid();
        return new ConsoleSink(stdout(), showLabels);
    }

    @SuppressWarnings("SystemOut") // writing to standard output is this sink's whole job
    private static PrintStream stdout() {
        return System.out;
    }
}
