package io.alertrelay.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Captures every log event (all loggers, level lowered to TRACE while open) through Logback, with messages formatted
 * and throwables (messages of the whole cause chain) rendered, so a test can search the lines for secrets. While open,
 * the root logger's other appenders are detached, so that TRACE output does not flood the build log.
 */
public final class CapturedLogs implements AutoCloseable {
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Level previousLevel;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final List<Appender<ILoggingEvent>> detached = new ArrayList<>();

    private CapturedLogs() {
        previousLevel = root.getLevel();
        root.iteratorForAppenders().forEachRemaining(detached::add);
        detached.forEach(root::detachAppender);
        appender.setName("captured-logs");
        appender.start();
        root.addAppender(appender);
        root.setLevel(Level.TRACE);
    }

    public static CapturedLogs start() {
        return new CapturedLogs();
    }

    /** Every captured event as one text: level, logger, formatted message, then each throwable's class and message. */
    public synchronized List<String> lines() {
        List<String> lines = new ArrayList<>();
        for (ILoggingEvent event : List.copyOf(appender.list)) {
            StringBuilder line = new StringBuilder()
                    .append(event.getLevel()).append(' ').append(event.getLoggerName()).append(" - ")
                    .append(event.getFormattedMessage());
            for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                line.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
            }
            lines.add(line.toString());
        }
        return lines;
    }

    @Override
    public void close() {
        root.setLevel(previousLevel);
        root.detachAppender(appender);
        appender.stop();
        detached.forEach(root::addAppender);
    }
}
