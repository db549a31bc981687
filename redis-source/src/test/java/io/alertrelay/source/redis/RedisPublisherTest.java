package io.alertrelay.source.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which replicas a canary published on a node can come back from: the INFO replication lines that are online. */
final class RedisPublisherTest {
    @Test
    void onlyOnlineReplicasCount() {
        String info = "# Replication\r\nrole:master\r\nconnected_slaves:3\r\n"
                + "slave0:ip=127.0.0.1,port=7101,state=online,offset=1234,lag=0\r\n"
                + "slave1:ip=127.0.0.1,port=7102,state=wait_bgsave,offset=0,lag=0\r\n"
                + "slave2:ip=::1,port=7103,state=online,offset=1234,lag=1\r\n"
                + "master_failover_state:no-failover\r\n";
        assertThat(RedisPublisher.onlineReplicas(info)).containsExactly("127.0.0.1:7101", "[::1]:7103");
    }

    @Test
    void aReplicaOrAnAnswerWithoutReplicasNamesNone() {
        assertThat(RedisPublisher.onlineReplicas("# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\n")).isEmpty();
        assertThat(RedisPublisher.onlineReplicas(null)).isEmpty();
        assertThat(RedisPublisher.onlineReplicas("slave0:ip=127.0.0.1,port=notaport,state=online")).isEmpty();
    }
}
