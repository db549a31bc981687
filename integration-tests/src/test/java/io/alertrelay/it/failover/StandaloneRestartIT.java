package io.alertrelay.it.failover;

import io.alertrelay.it.failover.harness.Fault;
import io.alertrelay.it.failover.harness.FaultScenario;
import io.alertrelay.it.failover.harness.Summary;
import io.alertrelay.it.failover.harness.Verdict;
import io.alertrelay.testing.redis.RequiresRedisServer;
import org.junit.jupiter.api.Test;

/**
 * A standalone server restarts on the same port: the relay must deliver again (the loss is counted in the summary,
 * not required to be zero: nothing can receive while the server is down).
 */
@RequiresRedisServer
class StandaloneRestartIT {
    @Test
    void deliversAgainAfterTheRestart() {
        Summary relay = FaultScenario.run(Fault.STANDALONE_RESTART, FaultScenario.Options.suite()).relay();
        Verdict.on(relay).deliversAgain().check();
    }
}
