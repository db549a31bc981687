/**
 * The application: loads and validates configuration (all problems at once), discovers sinks through ServiceLoader,
 * wires the modules with Guice and runs the relay until SIGTERM. The only module that knows all the others; it names
 * no sink class.
 */
package io.alertrelay.app;
