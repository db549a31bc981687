package io.alertrelay.spi;

/**
 * How fast the pipeline may call a sink for one target ({@link Sink#target}): a token bucket that holds up to
 * {@code burst} tokens and refills {@code perSecond} of them each second; each call (one alert, or one digest of many)
 * spends one. Configured as {@code sinks.<id>.rate: { per-second: 1, burst: 3 }}; a sink proposes its receiver's
 * limit through {@link Sink#defaultRate()}.
 *
 * @param perSecond tokens added per second; more than 0
 * @param burst     most tokens held (calls allowed back to back after a quiet spell); at least 1
 */
public record Rate(double perSecond, int burst) {
    public Rate {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("perSecond must be more than 0");
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1");
        }
    }

    @Override
    public String toString() {
        return "{per-second: " + (perSecond == Math.rint(perSecond) ? String.valueOf((long) perSecond)
                : String.valueOf(perSecond)) + ", burst: " + burst + "}";
    }
}
