package io.alertrelay.source.redis;

import static java.util.Objects.requireNonNull;

import io.alertrelay.core.DeliveryClaims;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisStringCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link DeliveryClaims} in Redis, on the master as Sentinel names it (or the standalone server): the same target the
 * canaries are published to, through its own ordinary connection ({@code <client-name>-claims}).
 *
 * <ul>
 *   <li>claim: {@code SET <prefix><key> <relay> NX PX <ttl>}; when the key exists, {@code GET} tells whether this
 *       relay holds it (then {@code SET ... XX PX <ttl>} extends it), another does, or it is {@code done:<relay>};</li>
 *   <li>done: {@code SET <prefix><key> done:<relay> PX <remember>}.</li>
 * </ul>
 * Any failure (connection, timeout, {@code NOPERM}) answers {@link Result#UNAVAILABLE}: the caller delivers anyway.
 * After a failure the connection is dropped and the next call re-resolves the master. The relay's ACL needs
 * {@code +set +get} on {@code <prefix>*}.
 *
 * <p>On a Redis Cluster ({@code redis.cluster}) the keys live on the master serving their slot: the claims go through
 * Lettuce's cluster client, which follows {@code MOVED} and {@code ASK} and refreshes its view of the slots on
 * redirects, on reconnects, and every {@code redis.reconcile-interval}.
 */
public final class RedisDeliveryClaims implements DeliveryClaims {
    private static final Logger log = LoggerFactory.getLogger(RedisDeliveryClaims.class);
    /** How long one claim command may take before the claim counts as unavailable. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);
    private static final String DONE = "done:";

    private final RedisClient client;          // null on a cluster
    private final RedisClusterClient clusterClient;   // null unless on a cluster
    private final RedisURI uri;
    private final String relay;
    private final String prefix;
    private final Duration ttl;
    private final Duration remember;
    private final AtomicLong failures = new AtomicLong();
    private volatile String lastFailure = "";
    private StatefulConnection<String, String> connection; // guarded by this
    private boolean closed;

    /**
     * @param relay    this relay's instance id, the claim's value
     * @param prefix   key prefix ({@code delivery.claims.key-prefix})
     * @param ttl      how long a claim lives unless renewed ({@code delivery.claims.ttl})
     * @param remember how long a delivered key is remembered ({@code delivery.claims.remember})
     */
    public RedisDeliveryClaims(RedisSourceConfig config, String relay, String prefix, Duration ttl, Duration remember) {
        requireNonNull(config, "config is null");
        this.relay = requireNonNull(relay, "relay is null");
        this.prefix = requireNonNull(prefix, "prefix is null");
        this.ttl = requireNonNull(ttl, "ttl is null");
        this.remember = requireNonNull(remember, "remember is null");
        this.uri = LettuceSupport.redisUri(config);
        uri.setClientName(config.clientName() + "-claims");
        uri.setTimeout(COMMAND_TIMEOUT);
        LettuceSupport.KeyedClient keyed = LettuceSupport.keyedClient(config, uri, "-claims", COMMAND_TIMEOUT);
        this.client = keyed.single();
        this.clusterClient = keyed.cluster();
    }

    @Override
    public Result claim(String key) {
        String redisKey = prefix + key;
        try {
            RedisStringCommands<String, String> redis = commands();
            if ("OK".equals(redis.set(redisKey, relay, SetArgs.Builder.nx().px(ttl.toMillis())))) {
                return Result.WON;
            }
            String holder = redis.get(redisKey);
            if (holder == null) { // expired in between
                return "OK".equals(redis.set(redisKey, relay, SetArgs.Builder.nx().px(ttl.toMillis())))
                        ? Result.WON : Result.HELD_ELSEWHERE;
            }
            if (holder.startsWith(DONE)) {
                return Result.DONE_ELSEWHERE;
            }
            if (holder.equals(relay)) {
                redis.set(redisKey, relay, SetArgs.Builder.xx().px(ttl.toMillis()));
                return Result.WON;
            }
            return Result.HELD_ELSEWHERE;
        } catch (RuntimeException e) {
            failed(e);
            return Result.UNAVAILABLE;
        }
    }

    @Override
    public void done(String key) {
        try {
            commands().set(prefix + key, DONE + relay, SetArgs.Builder.px(remember.toMillis()));
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public Duration recheckAfter() {
        long millis = Math.max(100, Math.min(1000, ttl.toMillis() / 10));
        return Duration.ofMillis(millis);
    }

    /** Commands that failed (each one a notification delivered without a claim, or a done mark not written). */
    public long failures() {
        return failures.get();
    }

    /** The last failure, for {@code /status}; empty when none. */
    public Optional<String> lastFailure() {
        return lastFailure.isEmpty() ? Optional.empty() : Optional.of(lastFailure);
    }

    private void failed(RuntimeException e) {
        long count = failures.incrementAndGet();
        lastFailure = e.getClass().getSimpleName() + (e.getMessage() == null ? ""
                : ": " + e.getMessage().lines().findFirst().orElse(""));
        if (count == 1 || count % 100 == 0) {
            log.warn("Delivery claims: Redis cannot be asked ({}); delivering without a claim ({} failure(s) so far)",
                    lastFailure, count);
        }
        drop();
    }

    @SuppressWarnings("unchecked")
    private synchronized RedisStringCommands<String, String> commands() {
        if (closed) {
            throw new IllegalStateException("claims closed");
        }
        if (connection == null || !connection.isOpen()) {
            connection = clusterClient != null ? clusterClient.connect(StringCodec.UTF8)
                    : client.connect(StringCodec.UTF8, uri);
        }
        return connection instanceof StatefulRedisClusterConnection<String, String> cluster ? cluster.sync()
                : ((StatefulRedisConnection<String, String>) connection).sync();
    }

    private synchronized void drop() {
        if (connection != null) {
            connection.closeAsync();
            connection = null;
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            connection = null;
        }
        if (clusterClient != null) {
            clusterClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        } else {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
