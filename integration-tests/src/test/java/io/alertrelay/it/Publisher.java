package io.alertrelay.it;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;

/** Publishes with a real client (Lettuce), to one node, as a producer that knows where the master is. */
final class Publisher implements AutoCloseable {
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;

    Publisher(String host, int port) {
        RedisURI uri = RedisURI.builder().withHost(host).withPort(port).withTimeout(Duration.ofSeconds(2)).build();
        this.client = RedisClient.create(uri);
        this.connection = client.connect();
    }

    /** PUBLISH; returns how many subscribers on that node received it. */
    long publish(String channel, String payload) {
        return connection.sync().publish(channel, payload);
    }

    /** PUBLISHes every payload pipelined (async, awaited together): a burst as fast as Redis takes it. */
    void publishAll(String channel, java.util.List<String> payloads) {
        java.util.List<io.lettuce.core.RedisFuture<Long>> sent = new java.util.ArrayList<>();
        for (String payload : payloads) {
            sent.add(connection.async().publish(channel, payload));
        }
        if (!io.lettuce.core.LettuceFutures.awaitAll(Duration.ofSeconds(10),
                sent.toArray(new io.lettuce.core.RedisFuture<?>[0]))) {
            throw new AssertionError("the burst was not published within 10 s");
        }
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
