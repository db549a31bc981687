package io.alertrelay.core.outbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive OS file lock on {@code <dir>/relay.lock}, held while a relay uses the directory: two relays writing one
 * outbox would deliver everything twice and corrupt each other's store. The OS releases the lock when the process
 * dies, however it dies, so a crash never leaves a stale lock behind. The file carries the holder's pid for the
 * message a second relay prints.
 */
final class DataDirectoryLock implements AutoCloseable {
    static final String FILE_NAME = "relay.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static DataDirectoryLock acquire(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        FileChannel channel;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new OutboxUnavailableException("delivery.dir: cannot create or open " + file.toAbsolutePath() + ": "
                    + e.getMessage(), e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this very process (a second outbox on the same directory)
        } catch (IOException e) {
            closeQuietly(channel);
            throw new OutboxUnavailableException("delivery.dir: cannot lock " + file.toAbsolutePath() + ": "
                    + e.getMessage(), e);
        }
        if (lock == null) {
            String holder = holder(file);
            closeQuietly(channel);
            throw new OutboxUnavailableException("delivery.dir: " + dir.toAbsolutePath() + " is in use by another "
                    + "Alert Relay" + holder + ". Two relays must not share an outbox: give each its own delivery.dir, "
                    + "or stop the other one first.", null);
        }
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
                    0);
            channel.force(false);
        } catch (IOException e) {
            // the lock is what matters; the pid is only for the message
        }
        return new DataDirectoryLock(channel, lock);
    }

    private static String holder(Path file) {
        try {
            String pid = Files.readString(file, StandardCharsets.US_ASCII).trim();
            return pid.isEmpty() ? "" : " (pid " + pid + ")";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to release
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        closeQuietly(channel);
    }
}
