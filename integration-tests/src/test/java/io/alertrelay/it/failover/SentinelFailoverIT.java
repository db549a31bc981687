package io.alertrelay.it.failover;

import io.alertrelay.it.failover.harness.Fault;
import io.alertrelay.it.failover.harness.FaultScenario;
import io.alertrelay.it.failover.harness.Summary;
import io.alertrelay.it.failover.harness.Verdict;
import io.alertrelay.testing.redis.RequiresRedisServer;
import org.junit.jupiter.api.Test;

/** Graceful SENTINEL FAILOVER: the old master stays reachable and is demoted only about 10 s later. */
@RequiresRedisServer
class SentinelFailoverIT {
    @Test
    void deliversEveryAcknowledgedAlertOnce() {
        Summary relay = FaultScenario.run(Fault.SENTINEL_FAILOVER, FaultScenario.Options.suite()).relay();
        Verdict.on(relay).deliversAgain().noAcknowledgedAlertLost().noDuplicates().check();
    }
}
