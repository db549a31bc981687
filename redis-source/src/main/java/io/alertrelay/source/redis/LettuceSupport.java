package io.alertrelay.source.redis;

import io.alertrelay.config.Parsers.HostAndPort;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ConnectionState;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.StatefulRedisConnectionImpl;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.PubSubCommandHandler;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Lettuce helpers every topology shares: client options, URIs (the configured target, one fixed data node),
 * tracking of the open pub/sub channels, error text, and bounded waits. Static, no state of its own (except the
 * {@link PubSubChannels} a source creates).
 */
final class LettuceSupport {
    private static final Logger log = LoggerFactory.getLogger(RedisSource.class);

    private LettuceSupport() {}

    /** Auto-reconnect, the connect timeout, and TCP keepalive ({@link RedisSource#KEEPALIVE_IDLE} and friends). */
    static ClientOptions clientOptions(RedisSourceConfig config) {
        return ClientOptions.builder()
                .autoReconnect(true)
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(config.connectTimeout())
                        .keepAlive(SocketOptions.KeepAliveOptions.builder()
                                .enable()
                                .idle(RedisSource.KEEPALIVE_IDLE)
                                .interval(RedisSource.KEEPALIVE_INTERVAL)
                                .count(RedisSource.KEEPALIVE_COUNT)
                                .build())
                        .build())
                .build();
    }

    /**
     * The configured target: the standalone server, the Sentinel master look-up, or (Cluster) the first seed node as a
     * plain data node (a PUBLISH on any node reaches the whole cluster).
     */
    static RedisURI redisUri(RedisSourceConfig config) {
        RedisURI.Builder builder;
        if (config.standalone().isPresent()) {
            RedisSourceConfig.Standalone server = config.standalone().get();
            builder = RedisURI.builder().withHost(server.host()).withPort(server.port()).withSsl(server.tls())
                    .withDatabase(server.database());
            if (config.password().isPresent()) {
                char[] password = config.password().get().reveal().toCharArray();
                if (server.username().isPresent()) {
                    builder.withAuthentication(server.username().get(), password);
                } else {
                    builder.withPassword(password);
                }
            }
        } else if (config.cluster().isPresent()) {
            return nodeUri(config, config.cluster().get().nodes().get(0).toString());
        } else {
            RedisSourceConfig.Sentinel sentinel = config.sentinel().orElseThrow();
            builder = RedisURI.builder().withSentinelMasterId(sentinel.masterName());
            String sentinelPassword = sentinel.password().map(RedisSourceConfig.Secret::reveal).orElse(null);
            for (HostAndPort node : sentinel.nodes()) {
                builder.withSentinel(node.host(), node.port(), sentinelPassword);
            }
            config.password().ifPresent(password -> builder.withPassword(password.reveal().toCharArray()));
        }
        return builder.withClientName(config.clientName()).withTimeout(config.connectTimeout()).build();
    }

    /**
     * A client for keyed commands (not pub/sub) on the Redis the source follows: a {@link io.lettuce.core.RedisClient}
     * on {@code uri} for a single node or Sentinel, or, with {@code redis.cluster}, a
     * {@link io.lettuce.core.cluster.RedisClusterClient} on the seeds that follows {@code MOVED}/{@code ASK} and
     * refreshes its slots on redirects, reconnects and every {@code reconcile-interval}. Exactly one is set.
     */
    record KeyedClient(io.lettuce.core.RedisClient single, io.lettuce.core.cluster.RedisClusterClient cluster) {}

    static KeyedClient keyedClient(RedisSourceConfig config, RedisURI uri, String clientNameSuffix, Duration timeout) {
        if (config.cluster().isPresent()) {
            List<RedisURI> seeds = config.cluster().get().nodes().stream().map(node -> {
                RedisURI seed = nodeUri(config, node.toString());
                seed.setClientName(config.clientName() + clientNameSuffix);
                seed.setTimeout(timeout);
                return seed;
            }).toList();
            io.lettuce.core.cluster.RedisClusterClient cluster = io.lettuce.core.cluster.RedisClusterClient.create(seeds);
            cluster.setOptions(io.lettuce.core.cluster.ClusterClientOptions.builder(clientOptions(config))
                    .timeoutOptions(io.lettuce.core.TimeoutOptions.enabled(timeout))
                    .topologyRefreshOptions(io.lettuce.core.cluster.ClusterTopologyRefreshOptions.builder()
                            .enablePeriodicRefresh(config.reconcileInterval())
                            .enableAllAdaptiveRefreshTriggers()
                            .build())
                    .build());
            return new KeyedClient(null, cluster);
        }
        io.lettuce.core.RedisClient single = io.lettuce.core.RedisClient.create(uri);
        single.setOptions(clientOptions(config).mutate()
                .timeoutOptions(io.lettuce.core.TimeoutOptions.enabled(timeout)).build());
        return new KeyedClient(single, null);
    }

    /** The URI of one fixed data node ({@code host:port}): no Sentinel look-up, the data nodes' password. */
    static RedisURI nodeUri(RedisSourceConfig config, String node) {
        HostAndPort address = HostAndPort.parse(node);
        RedisURI.Builder builder = RedisURI.builder().withHost(address.host()).withPort(address.port());
        config.password().ifPresent(password -> builder.withPassword(password.reveal().toCharArray()));
        return builder.withClientName(config.clientName()).withTimeout(config.connectTimeout()).build();
    }

    /** The protocol a connection negotiated; RESP2 when unknown (do not risk a command a RESP2 subscriber may not send). */
    static ProtocolVersion negotiatedProtocol(StatefulRedisPubSubConnection<String, String> conn) {
        if (conn instanceof StatefulRedisConnectionImpl<?, ?> impl) {
            ConnectionState state = impl.getConnectionState();
            if (state != null && state.getNegotiatedProtocolVersion() != null) {
                return state.getNegotiatedProtocolVersion();
            }
        }
        return ProtocolVersion.RESP2;
    }

    /** {@code host:port} of a socket address. */
    static String format(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return new HostAndPort(inet.getHostString(), inet.getPort()).toString();
        }
        return String.valueOf(address);
    }

    static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** A one-line description of an error: its class and message, and its root cause's. */
    static String describe(Throwable error) {
        if (error == null) {
            return "unknown error";
        }
        if (error instanceof TimeoutException) {
            return "timed out";
        }
        String message = error.getMessage();
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = error.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        return root == error ? text : text + " (" + root.getClass().getSimpleName()
                + (root.getMessage() == null ? "" : ": " + root.getMessage()) + ")";
    }

    /** Runs a blocking step (a bounded close) on its own daemon thread, never on an I/O thread or the timer. */
    static CompletableFuture<Void> inBackground(Runnable step) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                step.run();
                done.complete(null);
            } catch (RuntimeException | Error e) {
                done.completeExceptionally(e);
            }
        }, "alert-relay-redis-source-close");
        thread.setDaemon(true);
        thread.start();
        return done;
    }

    /** Waits up to {@link RedisSource#CLOSE_TIMEOUT}; a failure or timeout is logged at DEBUG. */
    static void await(CompletableFuture<?> future, String what) {
        await(future, what, RedisSource.CLOSE_TIMEOUT);
    }

    static void await(CompletableFuture<?> future, String what, Duration timeout) {
        try {
            future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.debug("Redis source: {} did not finish cleanly: {}", what, e.toString());
        }
    }

    /** Remembers the open pub/sub Netty channels, so a missed PING deadline or the reconcile can close one. */
    static final class PubSubChannels implements NettyCustomizer {
        private final Set<Channel> open = ConcurrentHashMap.newKeySet();

        @Override
        public void afterChannelInitialized(Channel channel) {
            if (channel.pipeline().get(PubSubCommandHandler.class) != null) {
                open.add(channel);
                channel.closeFuture().addListener(future -> open.remove(channel));
            }
        }

        List<Channel> list() {
            return List.copyOf(open);
        }
    }
}
