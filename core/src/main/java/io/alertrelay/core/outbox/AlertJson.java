package io.alertrelay.core.outbox;

import io.alertrelay.spi.Alert;
import java.io.IOException;

/** The outbox's JSON form of one alert, for other stores of the relay (the notification state's open groups). */
public final class AlertJson {
    private AlertJson() {}

    public static String write(Alert alert) {
        return RecordCodec.alertJson(alert);
    }

    public static Alert read(String json) throws IOException {
        return RecordCodec.alertFromJson(json);
    }
}
