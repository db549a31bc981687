package io.alertrelay.sink.console;

import io.alertrelay.spi.Alert;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.Sink;
import java.io.PrintStream;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/** Prints {@code <received> <STATUS> <severity> <title> | channel=… id=… source=… labels}, one line each. */
final class ConsoleSink implements Sink {
    private final PrintStream out;
    private final boolean showLabels;

    ConsoleSink(PrintStream out, boolean showLabels) {
        this.out = out;
        this.showLabels = showLabels;
    }

    static String format(Alert alert, boolean showLabels) {
        StringBuilder line = new StringBuilder();
        line.append(DateTimeFormatter.ISO_INSTANT.format(alert.origin().receivedAt())).append(' ')
                .append(alert.status().wireName().toUpperCase(java.util.Locale.ROOT)).append(' ')
                .append('[').append(alert.severity().wireName()).append("] ")
                .append(oneLine(alert.title()));
        alert.summary().ifPresent(summary -> line.append(" — ").append(oneLine(summary)));
        line.append(" | channel=").append(oneLine(alert.origin().channel())).append(" id=").append(oneLine(alert.id()));
        alert.source().ifPresent(source -> line.append(" source=").append(oneLine(source)));
        if (showLabels) {
            for (Map.Entry<String, String> label : alert.labels().entrySet()) {
                line.append(' ').append(oneLine(label.getKey())).append('=').append(oneLine(label.getValue()));
            }
        }
        return line.toString();
    }

    private static String oneLine(String text) {
        return text.replace("\r", "\\r").replace("\n", "\\n");
    }

    @Override
    public DeliveryResult deliver(Alert alert) {
        out.println(format(alert, showLabels));
        out.flush();
        return out.checkError() ? DeliveryResult.retryable("standard output failed") : DeliveryResult.delivered();
    }
}
