package io.alertrelay.bench.sink;

import io.alertrelay.spi.ConfigView;
import io.alertrelay.spi.Sink;
import io.alertrelay.spi.SinkContext;
import io.alertrelay.spi.SinkFactory;
import java.nio.file.Path;

/**
 * {@code type: bench-latency}, for {@link io.alertrelay.bench.RelayJarBench} only (never in the shipped jar): a sink
 * that does nothing but note, for each alert, how long ago its producer published it. The relay is started with the
 * bench classes on its class path ({@code java -cp alert-relay.jar:bench/target/classes io.alertrelay.app.Main}) and
 * {@code -Dbench.latency.out=FILE}; ServiceLoader finds this factory as it finds any team's sink module.
 */
public final class LatencySinkFactory implements SinkFactory {
    /** System property naming the file the sink writes its samples to when it is closed. */
    public static final String OUT = "bench.latency.out";

    @Override
    public String name() {
        return "bench-latency";
    }

    @Override
    public Sink create(ConfigView config, SinkContext context) {
        String out = System.getProperty(OUT);
        if (out == null) {
            throw new IllegalStateException("-D" + OUT + "=FILE is required by the bench-latency sink");
        }
        return new LatencySink(Path.of(out), context.clock());
    }
}
