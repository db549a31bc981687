package io.alertrelay.it.failover;

import io.alertrelay.it.failover.harness.Fault;
import io.alertrelay.it.failover.harness.FaultScenario;
import io.alertrelay.it.failover.harness.Summary;
import io.alertrelay.it.failover.harness.Verdict;
import io.alertrelay.testing.redis.RequiresRedisServer;
import org.junit.jupiter.api.Test;

/** The FAILOVER command on the master (Redis 6.2+): roles swap without Sentinel and without killing any client. */
@RequiresRedisServer
class FailoverCommandIT {
    @Test
    void deliversEveryAcknowledgedAlertOnce() {
        Summary relay = FaultScenario.run(Fault.FAILOVER_COMMAND, FaultScenario.Options.suite()).relay();
        Verdict.on(relay).deliversAgain().noAcknowledgedAlertLost().noDuplicates().check();
    }
}
