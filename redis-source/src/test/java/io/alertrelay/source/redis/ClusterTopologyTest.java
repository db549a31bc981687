package io.alertrelay.source.redis;

import static io.alertrelay.source.redis.SubscriptionState.CONNECTED;
import static io.alertrelay.source.redis.SubscriptionState.RESOLVING;
import static io.alertrelay.source.redis.SubscriptionState.SUBSCRIBED;
import static io.alertrelay.source.redis.SubscriptionState.VERIFIED;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which subscription the relay's health follows on a cluster ({@link ClusterTopology#chooseMain}). */
class ClusterTopologyTest {
    @Test
    void noNodesNoChoice() {
        assertThat(ClusterTopology.chooseMain(null, Map.of())).isNull();
        assertThat(ClusterTopology.chooseMain("a:1", Map.of())).isNull();
    }

    @Test
    void theFirstVerifiedIsChosenThenKeptWhileLive() {
        Map<String, SubscriptionState> states = states(CONNECTED, VERIFIED, VERIFIED);
        assertThat(ClusterTopology.chooseMain(null, states)).isEqualTo("b:2");
        states.put("b:2", SUBSCRIBED);   // e.g. an unresponsive node within its grace: still live, kept
        assertThat(ClusterTopology.chooseMain("b:2", states)).isEqualTo("b:2");
    }

    @Test
    void aLostSubscriptionHandsHealthToAVerifiedOne() {
        Map<String, SubscriptionState> states = states(VERIFIED, RESOLVING, SUBSCRIBED);
        assertThat(ClusterTopology.chooseMain("b:2", states)).isEqualTo("a:1");
        states.put("a:1", CONNECTED);
        assertThat(ClusterTopology.chooseMain("b:2", states)).as("no VERIFIED: the first SUBSCRIBED").isEqualTo("c:3");
    }

    @Test
    void nothingLiveKeepsTheCurrentOneOrTakesTheFirst() {
        Map<String, SubscriptionState> states = states(RESOLVING, CONNECTED, RESOLVING);
        assertThat(ClusterTopology.chooseMain("c:3", states)).isEqualTo("c:3");
        assertThat(ClusterTopology.chooseMain("gone:9", states)).as("a node no longer subscribed").isEqualTo("a:1");
        assertThat(ClusterTopology.chooseMain(null, states)).isEqualTo("a:1");
    }

    private static Map<String, SubscriptionState> states(SubscriptionState a, SubscriptionState b,
            SubscriptionState c) {
        Map<String, SubscriptionState> states = new LinkedHashMap<>();
        states.put("a:1", a);
        states.put("b:2", b);
        states.put("c:3", c);
        return states;
    }
}
