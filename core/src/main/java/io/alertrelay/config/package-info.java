/**
 * Configuration helpers every module may use: a tree-backed {@link io.alertrelay.spi.ConfigView}, the
 * {@link io.alertrelay.config.ConfigBinder} that accumulates problems under full keys, value parsers and
 * {@code ${ENV}} substitution. JDK only.
 */
package io.alertrelay.config;
