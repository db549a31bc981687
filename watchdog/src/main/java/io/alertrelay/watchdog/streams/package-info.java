/**
 * Absence reporting, rate anomalies and explicit expectations for the streams of alerts the relay receives: the
 * remedy the 2018 "Alerts to Slack" postmortem names for a relay that goes silent while looking healthy. Entry points:
 * {@link io.alertrelay.watchdog.streams.StreamWatchConfig#from} and {@link io.alertrelay.watchdog.streams.StreamWatch}.
 * JDK and core only. See {@code docs/watchdog-streams.md}.
 */
package io.alertrelay.watchdog.streams;
