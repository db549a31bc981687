package io.alertrelay.it.failover;

import io.alertrelay.it.failover.harness.Fault;
import io.alertrelay.it.failover.harness.FaultScenario;
import io.alertrelay.it.failover.harness.Summary;
import io.alertrelay.it.failover.harness.Verdict;
import io.alertrelay.testing.redis.RequiresRedisServer;
import org.junit.jupiter.api.Test;

/** CLIENT KILL TYPE pubsub on the master (what Sentinel does on promotion and demotion). */
@RequiresRedisServer
class PubSubClientKillIT {
    @Test
    void deliversEveryAcknowledgedAlertOnce() {
        Summary relay = FaultScenario.run(Fault.CLIENT_KILL_PUBSUB, FaultScenario.Options.suite()).relay();
        Verdict.on(relay).deliversAgain().noAcknowledgedAlertLost().noDuplicates().check();
    }
}
