package io.alertrelay.source.redis;

import io.alertrelay.config.Parsers.HostAndPort;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code check-config --connect}: one PING to each Redis endpoint of a configuration (the server; or each sentinel,
 * then the master it names), each bounded by {@code redis.connect-timeout}. Subscribes to nothing.
 */
public final class RedisProbe {
    private RedisProbe() {}

    /**
     * One probe's answer.
     *
     * @param target what was asked ({@code redis 127.0.0.1:6379}, {@code sentinel 10.0.0.1:26379}); no password
     * @param ok     whether it answered PONG
     * @param detail PONG, or the failure's type and message (Lettuce's messages name host and port, never a password)
     */
    public record Check(String target, boolean ok, String detail) {}

    public static List<Check> ping(RedisSourceConfig config) {
        List<Check> checks = new ArrayList<>();
        if (config.sentinel().isPresent()) {
            RedisSourceConfig.Sentinel sentinel = config.sentinel().get();
            for (HostAndPort node : sentinel.nodes()) {
                RedisURI.Builder builder = RedisURI.builder().withHost(node.host()).withPort(node.port())
                        .withTimeout(config.connectTimeout()).withClientName(config.clientName() + "-check");
                sentinel.password().ifPresent(password -> builder.withPassword(password.reveal().toCharArray()));
                checks.add(pingSentinel("sentinel " + node, builder.build()));
            }
            checks.add(ping("redis master '" + sentinel.masterName() + "' (via sentinel)", LettuceSupport.redisUri(config)));
        } else {
            checks.add(ping("redis " + config.redactedTarget(), LettuceSupport.redisUri(config)));
        }
        return checks;
    }

    private static Check ping(String target, RedisURI uri) {
        RedisClient client = RedisClient.create();
        try (StatefulRedisConnection<String, String> connection = client.connect(uri)) {
            connection.setTimeout(uri.getTimeout());
            return new Check(target, true, connection.sync().ping());
        } catch (RuntimeException e) {
            return new Check(target, false, describe(e));
        } finally {
            client.shutdown();
        }
    }

    private static Check pingSentinel(String target, RedisURI uri) {
        RedisClient client = RedisClient.create();
        try (StatefulRedisSentinelConnection<String, String> connection = client.connectSentinel(uri)) {
            connection.setTimeout(uri.getTimeout());
            return new Check(target, true, connection.sync().ping());
        } catch (RuntimeException e) {
            return new Check(target, false, describe(e));
        } finally {
            client.shutdown();
        }
    }

    private static String describe(RuntimeException e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = e.getMessage() == null ? "" : ": " + e.getMessage();
        String root = cause == e || cause.getMessage() == null ? "" : " (" + cause.getClass().getSimpleName() + ": "
                + cause.getMessage() + ")";
        return e.getClass().getSimpleName() + message + root;
    }
}
