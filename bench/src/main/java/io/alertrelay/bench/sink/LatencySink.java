package io.alertrelay.bench.sink;

import io.alertrelay.spi.Alert;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.Sink;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;

/**
 * Notes, per alert carrying the bench's {@code seq} and {@code sent-micros} fields, the microseconds from the
 * producer's {@code PUBLISH} to this call (both sides read the same machine's real-time clock, at microsecond
 * resolution). On {@link #close} writes {@code seq latency-micros} lines to the file; the bench computes percentiles.
 */
final class LatencySink implements Sink {
    private final Path out;
    private final Clock clock;
    private long[] seqs = new long[1 << 16];
    private long[] micros = new long[1 << 16];
    private int count;
    private boolean closed;

    LatencySink(Path out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    @Override
    public synchronized DeliveryResult deliver(Alert alert) {
        Instant now = clock.instant();
        if (alert.extra().get("sent-micros") instanceof Number sent && alert.extra().get("seq") instanceof Number seq) {
            long nowMicros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
            if (count == seqs.length) {
                seqs = Arrays.copyOf(seqs, count * 2);
                micros = Arrays.copyOf(micros, count * 2);
            }
            seqs[count] = seq.longValue();
            micros[count] = nowMicros - sent.longValue();
            count++;
        }
        return DeliveryResult.delivered();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.US_ASCII)) {
            for (int i = 0; i < count; i++) {
                writer.write(seqs[i] + " " + micros[i] + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out, e);
        }
    }
}
