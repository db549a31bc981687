package io.alertrelay.core;

import static java.util.Objects.requireNonNull;

import io.alertrelay.spi.Subscription;
import io.alertrelay.spi.SubscriptionRegistry;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The process's desired subscriptions, kept in memory (they come from config). Thread-safe. */
public final class InMemorySubscriptionRegistry implements SubscriptionRegistry {
    private static final Logger log = LoggerFactory.getLogger(InMemorySubscriptionRegistry.class);

    private final Set<Subscription> subscriptions = new LinkedHashSet<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    public InMemorySubscriptionRegistry() {}

    public InMemorySubscriptionRegistry(Iterable<Subscription> initial) {
        initial.forEach(subscription -> subscriptions.add(requireNonNull(subscription, "subscription is null")));
    }

    @Override
    public boolean add(Subscription subscription) {
        requireNonNull(subscription, "subscription is null");
        Set<Subscription> snapshot;
        synchronized (subscriptions) {
            if (!subscriptions.add(subscription)) {
                return false;
            }
            snapshot = copy();
        }
        notifyListeners(snapshot);
        return true;
    }

    @Override
    public boolean remove(Subscription subscription) {
        requireNonNull(subscription, "subscription is null");
        Set<Subscription> snapshot;
        synchronized (subscriptions) {
            if (!subscriptions.remove(subscription)) {
                return false;
            }
            snapshot = copy();
        }
        notifyListeners(snapshot);
        return true;
    }

    @Override
    public Set<Subscription> snapshot() {
        synchronized (subscriptions) {
            return copy();
        }
    }

    @Override
    public void addListener(Listener listener) {
        listeners.add(requireNonNull(listener, "listener is null"));
    }

    private Set<Subscription> copy() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(subscriptions));
    }

    private void notifyListeners(Set<Subscription> snapshot) {
        for (Listener listener : listeners) {
            try {
                listener.changed(snapshot);
            } catch (RuntimeException e) {
                log.warn("Subscription listener {} failed", listener, e);
            }
        }
    }
}
