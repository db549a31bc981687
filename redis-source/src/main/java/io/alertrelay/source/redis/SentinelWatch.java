package io.alertrelay.source.redis;

import io.alertrelay.config.Parsers.HostAndPort;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source's view of Sentinel: one pub/sub connection to <em>every</em> sentinel subscribed to the events that
 * signal a topology change ({@link #EVENTS}), and one command connection per sentinel to ask for the master and its
 * replicas ({@link #query()}).
 *
 * <p>How answers are combined: every sentinel is asked {@code SENTINEL MASTER <name>} (which carries the master's
 * address and its {@code config-epoch}, the same address {@code GET-MASTER-ADDR-BY-NAME} returns) and
 * {@code SENTINEL REPLICAS <name>} in parallel, each bounded by the connect timeout. The master is the address named
 * with the highest config-epoch (Sentinel's own rule: a newer epoch wins; a sentinel that missed the switch still
 * reports the older epoch); a tie goes to the address named by most sentinels, then to the sentinel listed first in
 * the config. The replicas are the union of every answering sentinel's list (with any flags: a dead former master
 * stays listed until Sentinel forgets it), minus the master.
 */
final class SentinelWatch {
    private static final Logger log = LoggerFactory.getLogger(RedisSource.class);

    /** The Sentinel channels watched; any of them for our master triggers an immediate reconcile. */
    static final List<String> EVENTS =
            List.of("+switch-master", "+slave", "+sdown", "-sdown", "+convert-to-slave", "+odown");

    private final RedisSourceConfig.Sentinel sentinel;
    private final String clientName;
    private final Duration timeout;
    private final RedisClient client;
    private final Runnable onEvent;
    private final Map<HostAndPort, StatefulRedisPubSubConnection<String, String>> eventConnections =
            new LinkedHashMap<>();
    private final Map<HostAndPort, CompletableFuture<StatefulRedisSentinelConnection<String, String>>> queryConnections =
            new LinkedHashMap<>();
    private volatile boolean eventsEnabled = true;
    private volatile boolean closed;

    SentinelWatch(RedisSourceConfig config, ClientResources resources, Runnable onEvent) {
        this.sentinel = config.sentinel().orElseThrow();
        this.clientName = config.clientName();
        this.timeout = config.connectTimeout();
        this.onEvent = onEvent;
        this.client = RedisClient.create(resources);
        client.setOptions(LettuceSupport.clientOptions(config));
    }

    /** The view of one query round. {@code master} is empty when no sentinel answered. */
    record View(Optional<String> master, long configEpoch, Set<String> replicas, int answered, String summary) {}

    /** Subscribes to the events on every sentinel (in the background; Lettuce re-subscribes after reconnects). */
    synchronized void start() {
        for (HostAndPort node : sentinel.nodes()) {
            startOne(node);
        }
    }

    /** Reconnects event subscriptions that could not be made at start (called by the reconcile). */
    synchronized void ensureEventSubscriptions() {
        if (closed) {
            return;
        }
        boolean missing = sentinel.nodes().stream().anyMatch(node -> !eventConnections.containsKey(node));
        if (missing) {
            List<HostAndPort> have = List.copyOf(eventConnections.keySet());
            for (HostAndPort node : sentinel.nodes()) {
                if (!have.contains(node)) {
                    startOne(node);
                }
            }
        }
    }

    private void startOne(HostAndPort node) {
        client.connectPubSubAsync(StringCodec.UTF8, uri(node)).whenComplete((conn, error) -> {
            if (error != null) {
                log.debug("Redis source: Sentinel events on {} still unavailable: {}", node, error.toString());
                return;
            }
            synchronized (this) {
                if (closed || eventConnections.containsKey(node)) {
                    conn.closeAsync();
                    return;
                }
                eventConnections.put(node, conn);
            }
            conn.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    event(node, channel, message);
                }
            });
            conn.async().subscribe(EVENTS.toArray(String[]::new));
        });
    }

    /** For tests: stop reacting to Sentinel events (as if every one of them were missed). */
    void eventsEnabled(boolean enabled) {
        eventsEnabled = enabled;
    }

    private void event(HostAndPort from, String channel, String message) {
        if (closed || message == null || !mentionsOurMaster(message)) {
            return;
        }
        if (!eventsEnabled) {
            log.debug("Redis source: ignoring Sentinel event {} {} from {} (events disabled)", channel, message, from);
            return;
        }
        log.info("Redis source: Sentinel {} reports {} {}; reconciling now", from, channel, message);
        onEvent.run();
    }

    private boolean mentionsOurMaster(String message) {
        String name = sentinel.masterName();
        return message.startsWith(name + " ") || message.contains(" " + name + " ") || message.endsWith(" " + name)
                || message.contains("@ " + name + " ");
    }

    /** Asks every sentinel in parallel; never fails (an empty master means nobody answered). */
    CompletableFuture<View> query() {
        List<HostAndPort> nodes = sentinel.nodes();
        List<CompletableFuture<Answer>> answers = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            answers.add(ask(i, nodes.get(i)));
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .handle((ignored, error) -> combine(answers.stream().map(f -> f.getNow(null)).toList()));
    }

    private CompletableFuture<Answer> ask(int order, HostAndPort node) {
        CompletableFuture<StatefulRedisSentinelConnection<String, String>> connection = queryConnection(node);
        return connection.thenCompose(conn -> {
            var commands = conn.async();
            CompletableFuture<Map<String, String>> master = commands.master(sentinel.masterName()).toCompletableFuture();
            CompletableFuture<List<Map<String, String>>> replicas =
                    commands.replicas(sentinel.masterName()).toCompletableFuture();
            return master.thenCombine(replicas, (m, r) -> {
                String ip = m.get("ip");
                String port = m.get("port");
                if (ip == null || port == null) {
                    throw new IllegalStateException("SENTINEL MASTER without ip/port: " + m);
                }
                long epoch = parseLong(m.get("config-epoch"));
                Set<String> replicaNodes = new LinkedHashSet<>();
                for (Map<String, String> replica : r) {
                    if (replica.get("ip") != null && replica.get("port") != null) {
                        replicaNodes.add(address(replica.get("ip"), replica.get("port")));
                    }
                }
                return new Answer(order, node, address(ip, port), epoch, replicaNodes, null);
            });
        }).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionally(error -> {
            Throwable cause = LettuceSupport.unwrap(error);
            if (!(cause instanceof java.util.concurrent.TimeoutException)) {
                forget(node);   // reconnect next time
            }
            return new Answer(order, node, null, -1, Set.of(), LettuceSupport.describe(cause));
        });
    }

    private synchronized CompletableFuture<StatefulRedisSentinelConnection<String, String>> queryConnection(
            HostAndPort node) {
        CompletableFuture<StatefulRedisSentinelConnection<String, String>> existing = queryConnections.get(node);
        if (existing != null && !(existing.isDone() && (existing.isCompletedExceptionally()
                || !existing.getNow(null).isOpen()))) {
            return existing;
        }
        CompletableFuture<StatefulRedisSentinelConnection<String, String>> created;
        try {
            created = client.connectSentinelAsync(StringCodec.UTF8, uri(node));
        } catch (RuntimeException e) {
            created = CompletableFuture.failedFuture(e);
        }
        queryConnections.put(node, created);
        return created;
    }

    private synchronized void forget(HostAndPort node) {
        CompletableFuture<StatefulRedisSentinelConnection<String, String>> existing = queryConnections.remove(node);
        if (existing != null) {
            existing.thenAccept(StatefulRedisSentinelConnection::closeAsync);
        }
    }

    static View combine(List<Answer> answers) {
        List<Answer> ok = answers.stream().filter(a -> a != null && a.master() != null).toList();
        StringBuilder summary = new StringBuilder();
        for (Answer answer : answers) {
            if (answer == null) {
                continue;
            }
            if (summary.length() > 0) {
                summary.append("; ");
            }
            summary.append("sentinel ").append(answer.sentinel()).append(": ").append(answer.master() != null
                    ? "master " + answer.master() + " (epoch " + answer.epoch() + ")"
                    : "no answer (" + answer.error() + ")");
        }
        if (ok.isEmpty()) {
            return new View(Optional.empty(), -1, Set.of(), 0, summary.toString());
        }
        long maxEpoch = ok.stream().mapToLong(Answer::epoch).max().orElse(-1);
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (Answer answer : ok) {   // in config order
            if (answer.epoch() == maxEpoch) {
                votes.merge(answer.master(), 1, Integer::sum);
            }
        }
        String master = null;
        int best = 0;
        for (Map.Entry<String, Integer> vote : votes.entrySet()) {
            if (vote.getValue() > best) {
                master = vote.getKey();
                best = vote.getValue();
            }
        }
        Set<String> replicas = new LinkedHashSet<>();
        for (Answer answer : ok) {
            replicas.addAll(answer.replicas());
        }
        replicas.remove(master);
        return new View(Optional.of(master), maxEpoch, replicas, ok.size(), summary.toString());
    }

    /** One sentinel's answer; {@code master} null (and {@code error} set) when it did not answer. */
    record Answer(int order, HostAndPort sentinel, String master, long epoch, Set<String> replicas, String error) {}

    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;   // the client's shutdown closes every connection it made
        try {
            client.shutdown(Duration.ZERO, RedisSource.CLOSE_TIMEOUT);
        } catch (RuntimeException e) {
            log.debug("Redis source: Sentinel client did not shut down cleanly: {}", e.toString());
        }
    }

    private RedisURI uri(HostAndPort node) {
        RedisURI.Builder builder = RedisURI.builder().withHost(node.host()).withPort(node.port())
                .withClientName(clientName).withTimeout(timeout);
        sentinel.password().ifPresent(p -> builder.withPassword(p.reveal().toCharArray()));
        return builder.build();
    }

    static String address(String host, String port) {
        return new HostAndPort(host, Integer.parseInt(port.trim())).toString();
    }

    private static long parseLong(String value) {
        try {
            return value == null ? 0 : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
