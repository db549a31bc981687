/**
 * The durable outbox: every notification (alert x sink) is recorded on local disk before its sink is called, marked
 * done once the sink accepted it, and resumed, oldest first, after a restart or a crash. {@link
 * io.alertrelay.core.outbox.Outbox} is the port; {@link io.alertrelay.core.outbox.MvStoreOutbox} the implementation
 * (H2's MVStore, see docs/durable-delivery.md for why) and {@link io.alertrelay.core.outbox.InMemoryOutbox} the
 * non-durable one for tests and benchmarks.
 */
package io.alertrelay.core.outbox;
