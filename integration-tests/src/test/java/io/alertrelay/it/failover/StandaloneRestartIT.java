package io.alertrelay.it.failover;

import io.alertrelay.it.failover.harness.Fault;
import io.alertrelay.it.failover.harness.FaultScenario;
import io.alertrelay.it.failover.harness.Summary;
import io.alertrelay.it.failover.harness.Verdict;
import io.alertrelay.testing.redis.RequiresRedisServer;
import org.junit.jupiter.api.Test;

/**
 * A standalone server restarts on the same port: the relay must deliver again (the loss is counted in the summary,
 * not required to be zero: nothing can receive while the server is down). The jar's watchdog must report that loss:
 * a blind window whose start and end cover every lost alert.
 */
@RequiresRedisServer
class StandaloneRestartIT {
    @Test
    void deliversAgainAfterTheRestart() {
        Summary relay = FaultScenario.run(Fault.STANDALONE_RESTART, FaultScenario.Options.suite()).relay();
        Verdict.on(relay).deliversAgain().check();
    }

    /**
     * The deciding run: the assembled jar, watchdog at its defaults, 500 alerts/s per publisher. Alerts acknowledged
     * by the restarted server before the relay subscribed again are lost (one node: a real blind window); the relay
     * must report a window covering each of them, and deliver nothing twice.
     */
    @Test
    void theShippedJarReportsTheBlindWindowThatCoversTheLoss() {
        Summary jar = FaultScenario.run(Fault.STANDALONE_RESTART, FaultScenario.Options.jar()).relay();
        Verdict.on(jar).deliversAgain().noDuplicates().blindWindowReportedCoveringTheLoss().check();
    }
}
