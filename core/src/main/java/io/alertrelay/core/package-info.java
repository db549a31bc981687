/** The delivery pipeline: decoding, routing, per-sink queues and retries, the subscription registry. */
package io.alertrelay.core;
