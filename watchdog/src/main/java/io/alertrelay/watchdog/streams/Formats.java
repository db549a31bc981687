package io.alertrelay.watchdog.streams;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/** How durations, rates and factors read in findings: {@code 31m 12s}, {@code 12/min}, {@code 6×}. */
final class Formats {
    private static final long SECOND = 1_000;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;
    private static final long[] UNITS = {DAY, HOUR, MINUTE, SECOND};
    private static final String[] UNIT_NAMES = {"d", "h", "m", "s"};

    private Formats() {}

    static String duration(Duration duration) {
        return duration(duration.toMillis());
    }

    /**
     * The two most significant units, rounded to the second above one second: {@code 850ms}, {@code 4m 50s},
     * {@code 29m}, {@code 1h 5m}, {@code 2d 3h}.
     */
    static String duration(long millis) {
        if (millis < SECOND) {
            return Math.max(0, millis) + "ms";
        }
        long rest = (millis + SECOND / 2) / SECOND * SECOND;
        StringBuilder text = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < UNITS.length && shown < 2; i++) {
            long amount = rest / UNITS[i];
            rest -= amount * UNITS[i];
            if (shown == 0 && amount == 0) {
                continue;
            }
            shown++;
            if (amount > 0) {
                text.append(text.length() == 0 ? "" : " ").append(amount).append(UNIT_NAMES[i]);
            }
        }
        return text.toString();
    }

    /** Events per minute: {@code 0}, {@code 0.25}, {@code 2.5}, {@code 12}, {@code 240}. */
    static String rate(double perMinute) {
        return number(perMinute);
    }

    /** A factor or rate without needless digits: {@code 6}, {@code 2.5}, {@code 0.33}, {@code 240}. */
    static String number(double value) {
        if (!Double.isFinite(value)) {
            return String.valueOf(value);
        }
        int scale = Math.abs(value) >= 10 ? 0 : Math.abs(value) >= 1 ? 1 : 2;
        return BigDecimal.valueOf(value).setScale(scale, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }
}
