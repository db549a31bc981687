package io.alertrelay.source.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientInfoTest {
    @Test
    void readsSubAndPsubFromARedis7Line() {
        String info = "id=5 addr=127.0.0.1:50000 laddr=127.0.0.1:6379 fd=8 name=alert-relay age=1 idle=0 flags=P db=0 "
                + "sub=2 psub=1 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=10 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 "
                + "omem=0 tot-mem=1800 events=r cmd=client|info user=default redir=-1 resp=3\n";
        assertThat(ClientInfo.subscriptionCounts(info)).hasValueSatisfying(counts -> {
            assertThat(counts[0]).isEqualTo(2);
            assertThat(counts[1]).isEqualTo(1);
        });
    }

    @Test
    void missingFieldsGiveNothing() {
        assertThat(ClientInfo.subscriptionCounts("id=5 psub=1")).isEmpty();
        assertThat(ClientInfo.subscriptionCounts("sub=x psub=1")).isEmpty();
        assertThat(ClientInfo.subscriptionCounts(null)).isEmpty();
    }
}
