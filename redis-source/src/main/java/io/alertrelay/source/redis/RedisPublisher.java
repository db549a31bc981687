package io.alertrelay.source.redis;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the way a producer does: one ordinary (non-subscriber) connection to the master as Sentinel names it, or
 * to the standalone server. After any failure the connection is dropped, so the next publish re-resolves the master
 * (a producer that "re-resolves after an error"). The watchdog publishes its canaries through it.
 *
 * <p>Its connection is named {@code <client-name>-publisher}, so server-side checks of the subscriber connections
 * (which look for {@code <client-name>}) never count it.
 */
public final class RedisPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisPublisher.class);
    /** How long one PUBLISH may take before it counts as failed. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);

    private final RedisClient client;
    private final RedisURI uri;
    private final String description;
    private CompletableFuture<StatefulRedisConnection<String, String>> connection;
    private boolean closed;

    public RedisPublisher(RedisSourceConfig config) {
        requireNonNull(config, "config is null");
        this.uri = RedisSource.redisUri(config);
        uri.setClientName(config.clientName() + "-publisher");
        uri.setTimeout(COMMAND_TIMEOUT);
        this.client = RedisClient.create(uri);
        this.client.setOptions(RedisSource.clientOptions(config).mutate()
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .build());
        this.description = config.redactedTarget();
    }

    /**
     * PUBLISH; completes with the number of receivers on the node it reached, or exceptionally. Never blocks (the
     * connection is made asynchronously) and never throws.
     */
    public CompletionStage<Long> publish(String channel, String message) {
        CompletableFuture<StatefulRedisConnection<String, String>> current;
        try {
            current = connection();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return current.thenCompose(open -> open.async().publish(channel, message).toCompletableFuture())
                .whenComplete((receivers, failure) -> {
                    if (failure != null) {
                        log.debug("PUBLISH on {} to {} failed ({}); the next one reconnects", channel, description,
                                failure.getClass().getSimpleName());
                        drop(current);
                    }
                });
    }

    private synchronized CompletableFuture<StatefulRedisConnection<String, String>> connection() {
        if (closed) {
            throw new IllegalStateException("publisher closed");
        }
        if (connection == null || (connection.isDone() && !connection.isCompletedExceptionally()
                && !connection.join().isOpen())) {
            connection = client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
        }
        return connection;
    }

    private synchronized void drop(CompletableFuture<StatefulRedisConnection<String, String>> failed) {
        if (connection == failed) {
            connection = null;
        }
        failed.thenAccept(StatefulRedisConnection::closeAsync);
    }

    /** Closes the connection (shutting the client down closes it; closing it twice makes Lettuce warn). */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            connection = null;
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
