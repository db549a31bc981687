package io.alertrelay.source.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.config.TreeConfigView;
import io.alertrelay.core.DeliveryClaims.Result;
import io.alertrelay.testing.redis.RedisServerProcess;
import io.alertrelay.testing.redis.RequiresRedisServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Claims against a real redis-server: one winner, the owner extends, done is remembered, no Redis fails open. */
@RequiresRedisServer
final class RedisDeliveryClaimsTest {
    private RedisServerProcess redis;
    private RedisDeliveryClaims first;
    private RedisDeliveryClaims second;

    @BeforeEach
    void start() {
        redis = RedisServerProcess.startStandalone();
        RedisSourceConfig config = RedisSourceConfig.from(TreeConfigView.root(Map.of("redis",
                Map.of("url", "redis://127.0.0.1:" + redis.port()))).section("redis"));
        first = new RedisDeliveryClaims(config, "relay-a", "test:claim:", Duration.ofSeconds(30), Duration.ofHours(1));
        second = new RedisDeliveryClaims(config, "relay-b", "test:claim:", Duration.ofSeconds(30), Duration.ofHours(1));
    }

    @AfterEach
    void stop() {
        first.close();
        second.close();
        redis.close();
    }

    @Test
    void oneRelayWinsTheOtherWaitsAndThenSeesItDone() {
        assertThat(first.claim("ops:firing:a-1")).isEqualTo(Result.WON);
        assertThat(second.claim("ops:firing:a-1")).isEqualTo(Result.HELD_ELSEWHERE);
        assertThat(first.claim("ops:firing:a-1")).as("the owner's retry extends its claim").isEqualTo(Result.WON);
        assertThat(redis.command("GET", "test:claim:ops:firing:a-1")).isEqualTo("relay-a");
        long ttl = Long.parseLong(redis.command("PTTL", "test:claim:ops:firing:a-1"));
        assertThat(ttl).isBetween(1L, 30_000L);

        first.done("ops:firing:a-1");
        assertThat(second.claim("ops:firing:a-1")).isEqualTo(Result.DONE_ELSEWHERE);
        assertThat(first.claim("ops:firing:a-1")).as("also for the relay that delivered it, after a restart")
                .isEqualTo(Result.DONE_ELSEWHERE);
        assertThat(Long.parseLong(redis.command("PTTL", "test:claim:ops:firing:a-1"))).isGreaterThan(3_000_000L);
        assertThat(second.claim("ops:resolved:a-1")).as("another key").isEqualTo(Result.WON);
    }

    @Test
    void aClaimOutlivesItsOwnerOnlyForItsTtl() {
        assertThat(first.claim("ops:firing:a-1")).isEqualTo(Result.WON);
        redis.command("PEXPIRE", "test:claim:ops:firing:a-1", "1"); // as if relay-a died 30 s ago
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!"0".equals(redis.command("EXISTS", "test:claim:ops:firing:a-1")) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(second.claim("ops:firing:a-1")).isEqualTo(Result.WON);
    }

    @Test
    void withoutRedisTheClaimIsUnavailableAndTheCallerDeliversAnyway() {
        redis.stop();
        assertThat(first.claim("ops:firing:a-1")).isEqualTo(Result.UNAVAILABLE);
        assertThat(first.failures()).isEqualTo(1);
        assertThat(first.lastFailure()).isPresent();
        assertThat(first.recheckAfter()).isEqualTo(Duration.ofSeconds(1));
    }
}
