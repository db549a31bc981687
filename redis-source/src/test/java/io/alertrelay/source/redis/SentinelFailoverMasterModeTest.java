package io.alertrelay.source.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.config.Parsers.HostAndPort;
import io.alertrelay.testing.redis.RedisServerProcess;
import io.alertrelay.testing.redis.RequiresRedisServer;
import io.alertrelay.testing.redis.SentinelTopology;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@link SentinelFailoverTest} with {@code subscribe-on: master}: one connection that follows the master. Plus the
 * case a single connection cannot notice by itself: a graceful failover leaves the old master reachable (and our
 * connection on it open) until Sentinel demotes it about 10 s later; the reconcile moves us within its interval.
 */
@RequiresRedisServer
class SentinelFailoverMasterModeTest extends SentinelFailoverTest {
    @Override
    String subscribeOn() {
        return "master";
    }

    @Test
    void aGracefulFailoverIsFollowedByTheReconcileEvenWithoutSentinelEvents() {
        source().sentinelEventsEnabled(false);
        RedisServerProcess oldMaster = topology().master();
        assertThat(topology().sentinels().get(0).command("SENTINEL", "FAILOVER", SentinelTopology.MASTER_NAME))
                .isEqualTo("OK");
        HostAndPort promoted = topology().awaitFailover(Duration.ofSeconds(30));
        String newMaster = RedisServerProcess.HOST + ":" + promoted.port();
        assertThat(newMaster).isNotEqualTo(oldMaster.address());

        // well before Sentinel demotes the old master (about 10 s), which would also close our connection there
        Await.verifiedOn(source(), newMaster, RedisSourceConfig.DEFAULT_RECONCILE_INTERVAL.plusSeconds(3));
        assertThat(topology().master().command("PUBLISH", "alerts:graceful", "after graceful")).isEqualTo("1");
        assertThat(handler().awaitPayload("after graceful", Duration.ofSeconds(20)).node()).isEqualTo(newMaster);
    }
}
