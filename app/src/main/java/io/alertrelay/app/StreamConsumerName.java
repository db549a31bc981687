package io.alertrelay.app;

import io.alertrelay.watchdog.RelayInstanceId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * This relay's consumer name in stream consumer groups, kept in {@code delivery.dir} ({@value #FILE}): made once (as a
 * relay instance id, {@code <host>-<pid>-<6 hex>}) and reused by every later run on the same directory, so a restarted
 * relay reads its own pending entries first. The directory is locked while a relay runs, so no two running relays share
 * a name.
 */
final class StreamConsumerName {
    static final String FILE = "stream-consumer";

    private StreamConsumerName() {}

    static String loadOrCreate(Path dir) {
        Path file = dir.resolve(FILE);
        try {
            if (Files.isRegularFile(file)) {
                String name = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (!name.isEmpty()) {
                    return name;
                }
            }
            String name = RelayInstanceId.generate();
            Files.createDirectories(dir);
            Path temporary = dir.resolve(FILE + ".tmp");
            Files.writeString(temporary, name + "\n", StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return name;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the stream consumer name in " + file, e);
        }
    }
}
