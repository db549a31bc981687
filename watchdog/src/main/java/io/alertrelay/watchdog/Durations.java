package io.alertrelay.watchdog;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/** How the watchdog writes durations for humans (log lines, alerts, config problems). */
public final class Durations {
    private Durations() {}

    /**
     * The config syntax where exact ({@code 3s}, {@code 500ms}, {@code 2m}, {@code 1h}), else milliseconds, so a
     * problem message can be pasted back into the config.
     */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 3_600_000 == 0 && millis != 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0 && millis != 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }

    /**
     * Seconds with two decimals, rounded half-up to the centisecond: {@code 1.46 s}; from one minute on with minutes
     * ({@code 2 min 5.20 s}) and from one hour on with hours ({@code 1 h 0 min 3.00 s}).
     */
    public static String seconds(Duration duration) {
        long centis = BigDecimal.valueOf(Math.max(0, duration.toMillis()))
                .divide(BigDecimal.TEN, 0, RoundingMode.HALF_UP)
                .longValueExact();
        long hours = centis / 360_000;
        long minutes = (centis % 360_000) / 6_000;
        long restCentis = centis % 6_000;
        String secs = BigDecimal.valueOf(restCentis, 2).toPlainString() + " s";
        if (hours > 0) {
            return hours + " h " + minutes + " min " + secs;
        }
        if (minutes > 0) {
            return minutes + " min " + secs;
        }
        return secs;
    }
}
