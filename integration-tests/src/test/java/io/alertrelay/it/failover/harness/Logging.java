package io.alertrelay.it.failover.harness;

import org.slf4j.LoggerFactory;

/**
 * Without a logback config, logback logs everything at DEBUG (Lettuce and Netty are very chatty at 500 messages/s).
 * Raise those two to INFO unless a config file says otherwise.
 */
final class Logging {
    private Logging() {}

    static void quietDefaults() {
        if (System.getProperty("logback.configurationFile") != null
                || Logging.class.getClassLoader().getResource("logback-test.xml") != null
                || Logging.class.getClassLoader().getResource("logback.xml") != null) {
            return;
        }
        try {
            for (String name : new String[] {"io.lettuce", "io.netty", "reactor"}) {
                org.slf4j.Logger logger = LoggerFactory.getLogger(name);
                if (logger instanceof ch.qos.logback.classic.Logger logback) {
                    logback.setLevel(ch.qos.logback.classic.Level.INFO);
                }
            }
        } catch (NoClassDefFoundError e) {
            // another SLF4J backend: leave it alone
        }
    }
}
