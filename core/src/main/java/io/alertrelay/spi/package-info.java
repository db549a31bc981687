/**
 * The Alert Relay service-provider interfaces: what a source, a sink and the subscription registry look like.
 *
 * <p>This package depends on the JDK only (an ArchUnit rule keeps it so). It evolves by adding {@code default}
 * methods; nothing here is removed or changed incompatibly within a major version.
 */
package io.alertrelay.spi;
