package io.alertrelay.spi;

/**
 * Delivers alerts to one receiver (a Slack webhook, a mailbox, a console).
 *
 * <p>Threading: the pipeline makes at most one {@link #deliver} call at a time per instance, on a thread of its own,
 * never on a source's I/O thread. A call may block up to the sink's own timeout. The sink classifies the outcome; the
 * pipeline owns retries, back-off, queues and metrics. A sink should not throw; if it does, the pipeline counts the
 * attempt as {@link Outcome#RETRYABLE}.
 *
 * <p>Secrets: nothing a sink returns or logs ({@link DeliveryResult#detail()}, log lines, exception messages,
 * {@code toString()}) contains the value of a sensitive key (token, password, signing secret, secret URL).
 *
 * <p>The contract kit ({@code io.alertrelay.testing.SinkContractTest} in core's test-jar) checks all of this.
 */
public interface Sink extends AutoCloseable {
    /**
     * Delivers one alert and classifies the answer. Never throws for a transport failure (connection refused, timeout,
     * connection closed, TLS failure): those are {@link Outcome#RETRYABLE}.
     *
     * <p>After {@link #close()} it returns {@link Outcome#RETRYABLE} with a detail saying the sink is closed, makes no
     * network call and does not throw: the alert was not delivered, through no fault of its own, and a new instance
     * (after a restart or reload) may deliver it. The pipeline makes no such call; the rule makes a race harmless.
     */
    DeliveryResult deliver(Alert alert);

    /**
     * Delivers several alerts as one message: an Alertmanager-style group, or a digest of a burst the pipeline
     * coalesced because the target's rate would not let them out one by one. One outcome covers all of them.
     *
     * <p>The default sends a single alert as itself and several as one {@link Digest#of digest alert} (the first
     * title "… and N more", every alert listed or counted in the summary), so a sink that knows nothing of groups still
     * loses none. A sink with a richer form (Slack blocks, a mail listing) overrides it.
     *
     * @param alerts at least one, oldest first
     */
    default DeliveryResult deliverAll(java.util.List<Alert> alerts) {
        if (alerts.isEmpty()) {
            throw new IllegalArgumentException("no alerts to deliver");
        }
        return alerts.size() == 1 ? deliver(alerts.get(0)) : deliver(Digest.of(alerts));
    }

    /**
     * The receiver-side target an alert goes to, for rate shaping: a Slack channel, a mail recipient list. Alerts of
     * different targets are paced (and paused after a 429) independently. The default is one target for the whole
     * sink: {@code ""}.
     */
    default String target(Alert alert) {
        return "";
    }

    /**
     * The pace the receiver allows per {@link #target target} when {@code sinks.<id>.rate} is not configured; empty
     * (the default) for no limit. A sink with a rate gets its notifications coalesced: what waits longer than the rate
     * allows for one target goes out as one {@link #deliverAll} call.
     */
    default java.util.Optional<Rate> defaultRate() {
        return java.util.Optional.empty();
    }

    /**
     * Checks, without delivering anything, that the receiver can be reached and accepts this sink's credentials (an
     * SMTP login, Slack's {@code auth.test}), for {@code alert-relay check-config --connect}. May block up to the
     * sink's own timeout; never throws for a transport failure. Empty when the sink offers no such check (the
     * default): the host then says the credentials were not checked, never that they are fine.
     *
     * @return {@link Outcome#DELIVERED} when the receiver accepted the credentials; otherwise the outcome and a detail
     *         that, like every detail, contains no secret
     */
    default java.util.Optional<DeliveryResult> checkConnection() {
        return java.util.Optional.empty();
    }

    /**
     * Checks, once at start-up before any delivery, that the receiver accepts this sink's credentials (Slack's
     * {@code auth.test}, for example). {@link SinkFactory#create} makes no network call; this is where one belongs.
     * Throws a {@link ConfigurationException} naming the key (never its value) when the receiver refuses the
     * credentials for good; a receiver that cannot be reached now is no reason to refuse to start (log it and
     * return): the pipeline retries deliveries. The default checks nothing.
     */
    default void verify() {}

    /**
     * Releases resources. Idempotent: a second call does nothing. Makes no network call that can block long (a
     * polite goodbye such as SMTP {@code QUIT} is bounded by the sink's timeout).
     */
    @Override
    default void close() {}
}
