package io.alertrelay.it.failover;

import io.alertrelay.it.failover.harness.Fault;
import io.alertrelay.it.failover.harness.FaultScenario;
import io.alertrelay.it.failover.harness.Summary;
import io.alertrelay.it.failover.harness.Verdict;
import io.alertrelay.testing.redis.RequiresRedisServer;
import org.junit.jupiter.api.Test;

/** Master SIGKILL: Sentinel promotes the replica; the relay must deliver every acknowledged alert once. */
@RequiresRedisServer
class MasterSigkillIT {
    @Test
    void deliversEveryAcknowledgedAlertOnce() {
        Summary relay = FaultScenario.run(Fault.MASTER_SIGKILL, FaultScenario.Options.suite()).relay();
        Verdict.on(relay).deliversAgain().noAcknowledgedAlertLost().noDuplicates().check();
    }
}
