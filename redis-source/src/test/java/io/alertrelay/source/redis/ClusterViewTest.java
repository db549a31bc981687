package io.alertrelay.source.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterViewTest {
    /** Three shards, one replica each (Redis 7.0 format, with a hostname field on one line). */
    private static final String HEALTHY = """
            07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004,host-4 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected
            67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@31002 master - 0 1426238316232 2 connected 5461-10922
            292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:30003@31003 master - 0 1426238318243 3 connected 10923-16383
            6ec23923021cf3ffec47632106199cb7f496ce01 127.0.0.1:30005@31005 slave 67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 0 1426238316232 5 connected
            824fe116063bc5fcf9f4ffd895bc17aee7731ac3 127.0.0.1:30006@31006 slave 292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 0 1426238317741 6 connected
            e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460
            """;

    @Test
    void subscribesOnEveryMaster() {
        ClusterView view = ClusterView.parse("127.0.0.1:30001", HEALTHY);
        assertThat(view.nodes()).hasSize(6);
        assertThat(view.subscribeOn()).containsExactly("127.0.0.1:30002", "127.0.0.1:30003", "127.0.0.1:30001");
        assertThat(view.role("127.0.0.1:30004")).contains(NodeRole.REPLICA);
        assertThat(view.role("127.0.0.1:30001")).contains(NodeRole.MASTER);
        assertThat(view.role("127.0.0.1:39999")).isEmpty();
        assertThat(view.nodes().get(1).slots()).isEqualTo(5462);
        assertThat(view.nodes().get(0).masterId()).contains("e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca");
        assertThat(ClusterView.unsettled(HEALTHY)).isFalse();
        assertThat(view.summary()).contains("127.0.0.1:30002 5462 slots");
    }

    @Test
    void aFailedMasterIsLeftAndItsPromotedReplicaSubscribed() {
        String afterFailover = HEALTHY
                .replace("127.0.0.1:30002@31002 master - 0 1426238316232 2 connected 5461-10922",
                        "127.0.0.1:30002@31002 master,fail - 0 1426238316232 2 disconnected")
                .replace("127.0.0.1:30005@31005 slave 67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 0 1426238316232 5 connected",
                        "127.0.0.1:30005@31005 master - 0 1426238316232 7 connected 5461-10922");
        ClusterView view = ClusterView.parse("127.0.0.1:30001", afterFailover);
        assertThat(view.subscribeOn()).containsExactlyInAnyOrder("127.0.0.1:30003", "127.0.0.1:30005",
                "127.0.0.1:30001");
        assertThat(view.reachable()).doesNotContain("127.0.0.1:30002");
        assertThat(ClusterView.unsettled(afterFailover)).isTrue();
    }

    @Test
    void aSuspectedMasterIsStillSubscribed() {
        String suspected = HEALTHY.replace("127.0.0.1:30003@31003 master -", "127.0.0.1:30003@31003 master,fail? -");
        ClusterView view = ClusterView.parse("127.0.0.1:30001", suspected);
        assertThat(view.subscribeOn()).contains("127.0.0.1:30003");
        assertThat(ClusterView.unsettled(suspected)).isTrue();
    }

    @Test
    void aOneShardClusterAlsoListensOnAReplica() {
        String oneShard = """
                aaaa 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-16383
                bbbb 127.0.0.1:30002@31002 slave aaaa 0 0 1 connected
                cccc 127.0.0.1:30003@31003 slave aaaa 0 0 1 connected
                """;
        assertThat(ClusterView.parse("127.0.0.1:30001", oneShard).subscribeOn())
                .containsExactly("127.0.0.1:30001", "127.0.0.1:30002");
    }

    @Test
    void nodesWithoutAddressOrInHandshakeAreNotSubscribed() {
        String odd = """
                aaaa 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-8000 [8001->-bbbb]
                bbbb 127.0.0.1:30002@31002 master - 0 0 2 connected 8001-16383
                dddd :0@0 master,noaddr - 0 0 3 disconnected
                eeee 127.0.0.1:30009@31009 handshake - 0 0 0 disconnected
                """;
        ClusterView view = ClusterView.parse("127.0.0.1:30001", odd);
        assertThat(view.subscribeOn()).containsExactly("127.0.0.1:30001", "127.0.0.1:30002");
        assertThat(view.nodes().get(0).slots()).isEqualTo(8001);
        assertThat(view.nodes().get(2).address()).isEqualTo(Optional.empty());
    }

    @Test
    void anAnswerThatIsNotCLUSTER_NODESIsRejected() {
        assertThatThrownBy(() -> ClusterView.parse("n:1", "ERR This instance has cluster support disabled"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClusterView.parse("n:1", "")).isInstanceOf(IllegalArgumentException.class);
    }
}
