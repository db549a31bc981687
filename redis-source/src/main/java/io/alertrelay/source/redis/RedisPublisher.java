package io.alertrelay.source.redis;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.alertrelay.config.Parsers.HostAndPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the way a producer does: one ordinary (non-subscriber) connection to the master as Sentinel names it, or
 * to the standalone server. After any failure the connection is dropped, so the next publish re-resolves the master
 * (a producer that "re-resolves after an error"). The watchdog publishes its canaries through it.
 *
 * <p>{@link #publishOn} publishes on one named node instead (the watchdog's canaries: on every node that takes
 * writes), reading that node's online replicas ({@code INFO replication}) on the same connection just before, so the
 * caller knows where the message can come back from.
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
    private final RedisSourceConfig config;
    private CompletableFuture<StatefulRedisConnection<String, String>> connection;
    /** {@link #publishOn} connections, by node ({@code host:port}); guarded by this. */
    private final Map<String, CompletableFuture<StatefulRedisConnection<String, String>>> nodeConnections =
            new HashMap<>();
    private boolean closed;

    /**
     * Where {@link #publishOn} published and who else can hear it.
     *
     * @param node      the node that acknowledged the PUBLISH ({@code host:port})
     * @param receivers subscribers on that node that received it (PUBLISH's reply)
     * @param replicas  the node's replicas whose link was {@code online} just before the PUBLISH ({@code ip:port})
     */
    public record Receipt(String node, long receivers, List<String> replicas) {
        public Receipt {
            requireNonNull(node, "node is null");
            replicas = List.copyOf(replicas);
        }
    }

    public RedisPublisher(RedisSourceConfig config) {
        requireNonNull(config, "config is null");
        this.uri = LettuceSupport.redisUri(config);
        uri.setClientName(config.clientName() + "-publisher");
        uri.setTimeout(COMMAND_TIMEOUT);
        this.client = RedisClient.create(uri);
        this.client.setOptions(LettuceSupport.clientOptions(config).mutate()
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .build());
        this.description = config.redactedTarget();
        this.config = config;
    }

    /**
     * {@code INFO replication} then {@code PUBLISH} on {@code node} ({@code host:port}, the data nodes' password),
     * pipelined on one connection per node; completes with the {@link Receipt}, or exceptionally (timeout
     * {@link #COMMAND_TIMEOUT}, refused, ...), after which that node's connection is dropped and the next call
     * reconnects. Never blocks and never throws.
     */
    public CompletionStage<Receipt> publishOn(String node, String channel, String message) {
        CompletableFuture<StatefulRedisConnection<String, String>> current;
        try {
            current = nodeConnection(node);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return current.thenCompose(open -> {
            var commands = open.async();
            CompletableFuture<String> info = commands.info("replication").toCompletableFuture();
            CompletableFuture<Long> published = commands.publish(channel, message).toCompletableFuture();
            return info.thenCombine(published, (text, receivers) -> new Receipt(node, receivers, onlineReplicas(text)));
        }).whenComplete((receipt, failure) -> {
            if (failure != null) {
                log.debug("PUBLISH on {} to {} failed ({}); the next one reconnects", channel, node,
                        failure.getClass().getSimpleName());
                dropNode(node, current);
            }
        });
    }

    /** The {@code ip:port} of every {@code slaveN:} line with {@code state=online} in an INFO replication reply. */
    static List<String> onlineReplicas(String info) {
        List<String> replicas = new ArrayList<>();
        if (info == null) {
            return replicas;
        }
        for (String line : info.split("\r?\n")) {
            if (!line.startsWith("slave") || line.indexOf(':') < 0) {
                continue;
            }
            Map<String, String> fields = new HashMap<>();
            for (String pair : line.substring(line.indexOf(':') + 1).trim().split(",")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    fields.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
            String ip = fields.get("ip");
            String port = fields.get("port");
            if (ip != null && port != null && "online".equals(fields.get("state"))) {
                try {
                    replicas.add(new HostAndPort(ip, Integer.parseInt(port)).toString());
                } catch (RuntimeException e) {
                    // not an address we understand: not claimed as a replica
                }
            }
        }
        return replicas;
    }

    private synchronized CompletableFuture<StatefulRedisConnection<String, String>> nodeConnection(String node) {
        if (closed) {
            throw new IllegalStateException("publisher closed");
        }
        CompletableFuture<StatefulRedisConnection<String, String>> existing = nodeConnections.get(node);
        if (existing == null || (existing.isDone() && !existing.isCompletedExceptionally()
                && !existing.join().isOpen())) {
            RedisURI nodeUri = LettuceSupport.nodeUri(config, node);
            nodeUri.setClientName(config.clientName() + "-publisher");
            nodeUri.setTimeout(COMMAND_TIMEOUT);
            existing = client.connectAsync(StringCodec.UTF8, nodeUri).toCompletableFuture();
            nodeConnections.put(node, existing);
        }
        return existing;
    }

    private synchronized void dropNode(String node, CompletableFuture<StatefulRedisConnection<String, String>> failed) {
        nodeConnections.remove(node, failed);
        failed.thenAccept(StatefulRedisConnection::closeAsync);
    }

    /** Closes the connections to nodes not in {@code keep} (nodes the source no longer follows). */
    public void retainNodes(Set<String> keep) {
        List<CompletableFuture<StatefulRedisConnection<String, String>>> gone = new ArrayList<>();
        synchronized (this) {
            for (var it = nodeConnections.entrySet().iterator(); it.hasNext(); ) {
                var entry = it.next();
                if (!keep.contains(entry.getKey())) {
                    gone.add(entry.getValue());
                    it.remove();
                }
            }
        }
        gone.forEach(future -> future.thenAccept(StatefulRedisConnection::closeAsync));
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
            nodeConnections.clear();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
