package io.alertrelay.it.failover;

import io.alertrelay.it.failover.harness.ClusterScenario;
import io.alertrelay.it.failover.harness.ClusterScenario.Fault;
import io.alertrelay.testing.redis.RequiresRedisServer;
import org.junit.jupiter.api.Test;

/**
 * Redis Cluster, classic pub/sub, on the assembled jar (issue 11): six nodes (three masters, one replica each), the
 * relay configured with {@code redis.cluster.nodes}, 500 alerts/s published on random masters. Each fault must lose
 * no acknowledged alert, deliver none twice, and report no false blind window.
 */
@RequiresRedisServer
class ClusterFaultIT {
    @Test
    void masterSigkillLosesNothingAcknowledgedAndDuplicatesNothing() {
        ClusterScenario.run(Fault.MASTER_SIGKILL).checkNoLossNoDuplicates();
    }

    @Test
    void clusterFailoverOnAReplicaLosesNothingAcknowledgedAndDuplicatesNothing() {
        ClusterScenario.run(Fault.CLUSTER_FAILOVER).checkNoLossNoDuplicates();
    }

    @Test
    void masterSigstopLosesNothingAcknowledgedAndDuplicatesNothing() {
        ClusterScenario.run(Fault.MASTER_SIGSTOP).checkNoLossNoDuplicates();
    }
}
