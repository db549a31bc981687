package io.alertrelay.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.spi.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class InMemorySubscriptionRegistryTest {
    @Test
    void keepsInsertionOrderAndNotifiesOnChange() {
        InMemorySubscriptionRegistry registry = new InMemorySubscriptionRegistry(List.of(Subscription.pattern("alerts:*")));
        List<Set<Subscription>> seen = new ArrayList<>();
        registry.addListener(seen::add);
        assertThat(registry.add(Subscription.channel("ops"))).isTrue();
        assertThat(registry.add(Subscription.channel("ops"))).isFalse();
        assertThat(registry.remove(Subscription.channel("missing"))).isFalse();
        assertThat(registry.snapshot()).containsExactly(Subscription.pattern("alerts:*"), Subscription.channel("ops"));
        assertThat(registry.remove(Subscription.pattern("alerts:*"))).isTrue();
        assertThat(seen).hasSize(2);
        assertThat(seen.get(1)).containsExactly(Subscription.channel("ops"));
    }
}
