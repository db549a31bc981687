package io.alertrelay.app;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import io.alertrelay.config.ConfigBinder;
import io.alertrelay.config.TreeConfigView;
import io.alertrelay.spi.ConfigurationException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code logging.format}: {@code text} (default; {@code HH:mm:ss.SSS LEVEL [thread] Logger - message}) or {@code json}
 * (one JSON object per line on standard error, logback's own {@link JsonEncoder}: {@code timestamp} (epoch
 * milliseconds), {@code level}, {@code threadName}, {@code loggerName}, {@code mdc}, {@code formattedMessage},
 * {@code throwable}, for log shippers). Logs stay on
 * standard error either way; standard output carries only the console sink's notifications.
 */
record LoggingConfig(Format format) {
    enum Format { TEXT, JSON }

    static final LoggingConfig DEFAULT = new LoggingConfig(Format.TEXT);

    /** Reads {@code logging.*} (marking the keys used); the problems, each under its full key, empty when fine. */
    static List<String> check(TreeConfigView root) {
        List<String> problems = new ArrayList<>();
        read(root, problems);
        return problems;
    }

    /** {@code logging.*} of a configuration; throws with the problems. */
    static LoggingConfig from(TreeConfigView root) {
        List<String> problems = new ArrayList<>();
        LoggingConfig config = read(root, problems);
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems);
        }
        return config;
    }

    private static LoggingConfig read(TreeConfigView root, List<String> problems) {
        try {
            if (!root.has("logging")) {
                return DEFAULT;
            }
            ConfigBinder binder = new ConfigBinder(root.section("logging"));
            String format = binder.optional("format", value -> value.trim().toLowerCase(Locale.ROOT), "text");
            binder.check(format.equals("text") || format.equals("json"), "format", "must be text or json, not '"
                    + format + "'");
            problems.addAll(binder.problems());
            return new LoggingConfig(format.equals("json") ? Format.JSON : Format.TEXT);
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
            return DEFAULT;
        }
    }

    /** Switches every logback appender that writes to a stream to this format; text is what logback.xml set up. */
    void apply() {
        if (format != Format.JSON) {
            return;
        }
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            return;
        }
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        for (Iterator<Appender<ILoggingEvent>> appenders = root.iteratorForAppenders(); appenders.hasNext(); ) {
            if (appenders.next() instanceof OutputStreamAppender<ILoggingEvent> stream) {
                JsonEncoder encoder = new JsonEncoder();
                encoder.setContext(context);
                // the message as a person reads it, not logback's template plus its arguments
                encoder.setWithFormattedMessage(true);
                encoder.setWithMessage(false);
                encoder.setWithArguments(false);
                encoder.setWithSequenceNumber(false);
                encoder.setWithNanoseconds(false);
                encoder.setWithContext(false);
                encoder.start();
                stream.stop();
                stream.setEncoder(encoder);
                stream.start();
            }
        }
    }
}
