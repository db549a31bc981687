package io.alertrelay.sink.email;

import io.alertrelay.spi.Alert;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.Outcome;
import io.alertrelay.spi.Sink;
import io.alertrelay.spi.SinkContext;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each alert as one mail over SMTP: connect, (STARTTLS,) AUTH if configured, send, QUIT. One connection per
 * delivery: alerts are rare and a pooled connection would go stale between them.
 *
 * <p>The envelope recipients are the configured {@code to} addresses, passed explicitly to
 * {@link Transport#sendMessage}; nothing in the alert can add one. The session is private to this sink (never
 * {@code Session.getDefaultInstance}); the password is handed to {@code connect} only and is not a session property.
 *
 * <p>Threading: one {@link #deliver} at a time (the pipeline's contract); it blocks at most about three times the
 * configured timeout (connect, then read/write timeouts per SMTP step).
 */
final class EmailSink implements Sink {
    private static final Logger log = LoggerFactory.getLogger(EmailSink.class);
    private static final String REDACTED = "****";

    private final EmailSinkConfig config;
    private final String instanceName;
    private final Clock clock;
    private final Session session;
    private final InternetAddress from;
    private final InternetAddress[] to;
    private final String endpoint;
    private final AtomicBoolean closed = new AtomicBoolean();

    EmailSink(EmailSinkConfig config, SinkContext context) {
        this(config, context, new Properties());
    }

    /** {@code overrides}: extra session properties, for tests only (e.g. {@code mail.smtp.ssl.trust} for a test CA). */
    EmailSink(EmailSinkConfig config, SinkContext context, Properties overrides) {
        this.config = config;
        this.instanceName = context.instanceName();
        this.clock = context.clock();
        this.from = address(config.from());
        this.to = config.to().stream().map(EmailSink::address).toArray(InternetAddress[]::new);
        this.endpoint = (config.host().contains(":") ? "[" + config.host() + "]" : config.host()) + ":" + config.port();
        Properties properties = sessionProperties(config, from);
        properties.putAll(overrides);
        this.session = Session.getInstance(properties);
    }

    /** The session properties for {@code config}; never contains the password. */
    static Properties sessionProperties(EmailSinkConfig config, InternetAddress from) {
        Properties p = new Properties();
        String timeoutMillis = Long.toString(config.timeout().toMillis());
        p.setProperty("mail.transport.protocol", "smtp");
        p.setProperty("mail.smtp.host", config.host());
        p.setProperty("mail.smtp.port", Integer.toString(config.port()));
        // Jakarta Mail waits forever unless told otherwise
        p.setProperty("mail.smtp.connectiontimeout", timeoutMillis);
        p.setProperty("mail.smtp.timeout", timeoutMillis);
        p.setProperty("mail.smtp.writetimeout", timeoutMillis);
        p.setProperty("mail.smtp.from", from.getAddress()); // envelope sender (MAIL FROM)
        p.setProperty("mail.smtp.auth", Boolean.toString(config.authenticates()));
        p.setProperty("mail.smtp.sendpartial", "false"); // all recipients or none: a retry never duplicates
        p.setProperty("mail.smtp.quitwait", "false"); // the mail is accepted at end of DATA; don't wait for QUIT
        p.setProperty("mail.mime.allowutf8", "false"); // non-ASCII headers are RFC 2047-encoded, never raw bytes
        p.setProperty("mail.debug", "false"); // the protocol trace would show AUTH exchanges
        p.setProperty("mail.debug.auth", "false");
        switch (config.tls()) {
            case STARTTLS -> {
                p.setProperty("mail.smtp.starttls.enable", "true");
                p.setProperty("mail.smtp.starttls.required", "true"); // no silent plain-text fallback
                tlsChecks(p);
            }
            case SMTPS -> {
                p.setProperty("mail.smtp.ssl.enable", "true");
                tlsChecks(p);
            }
            case NONE -> {
                p.setProperty("mail.smtp.starttls.enable", "false");
                p.setProperty("mail.smtp.ssl.enable", "false");
            }
        }
        return p;
    }

    private static void tlsChecks(Properties p) {
        p.setProperty("mail.smtp.ssl.checkserveridentity", "true");
        p.setProperty("mail.smtp.ssl.protocols", "TLSv1.2 TLSv1.3");
    }

    @Override
    public DeliveryResult deliver(Alert alert) {
        if (closed.get()) {
            return DeliveryResult.retryable("email sink " + instanceName + " is closed"); // the Sink contract
        }
        MimeMessage message;
        try {
            message = AlertMail.build(session, from, to, config.subjectPrefix(), alert, clock.instant(), instanceName);
        } catch (MessagingException | RuntimeException e) {
            log.warn("Email sink {}: cannot build the mail for alert {}", instanceName, HeaderText.oneLine(alert.id(), 200), e);
            return DeliveryResult.rejected(redact("cannot build the mail: " + SmtpFailures.firstLine(e.toString())));
        }
        try {
            send(message);
            log.debug("Email sink {}: alert {} accepted by {}", instanceName, HeaderText.oneLine(alert.id(), 200), endpoint);
            return DeliveryResult.delivered();
        } catch (MessagingException e) {
            DeliveryResult classified = SmtpFailures.classify(e, endpoint);
            DeliveryResult result = new DeliveryResult(classified.outcome(), redact(classified.detail()),
                    classified.retryAfter());
            if (result.outcome() == Outcome.REJECTED) {
                log.debug("Email sink {}: alert {} rejected: {}", instanceName, HeaderText.oneLine(alert.id(), 200),
                        result.detail());
            } else {
                log.debug("Email sink {}: alert {} not sent, retryable: {}", instanceName,
                        HeaderText.oneLine(alert.id(), 200), result.detail());
            }
            return result;
        } catch (RuntimeException e) {
            // Jakarta Mail can throw unchecked exceptions (e.g. IllegalArgumentException from a command check)
            log.warn("Email sink {}: unexpected error sending alert {} to {}: {}", instanceName,
                    HeaderText.oneLine(alert.id(), 200), endpoint, redact(String.valueOf(e)));
            return DeliveryResult.retryable(redact("unexpected error with " + endpoint + ": "
                    + SmtpFailures.firstLine(e.toString())));
        }
    }

    /**
     * {@code check-config --connect}: opens the SMTP connection as a delivery would (STARTTLS or SMTPS as configured,
     * then AUTH when a username is set) and closes it, sending no mail.
     */
    @Override
    public java.util.Optional<DeliveryResult> checkConnection() {
        if (closed.get()) {
            return java.util.Optional.of(DeliveryResult.retryable("email sink " + instanceName + " is closed"));
        }
        try {
            Transport transport = session.getTransport("smtp");
            try {
                transport.connect(config.host(), config.port(), config.username().orElse(null),
                        config.password().orElse(null));
            } finally {
                try {
                    transport.close();
                } catch (MessagingException e) {
                    log.debug("Email sink {}: closing the check connection failed", instanceName);
                }
            }
            return java.util.Optional.of(new DeliveryResult(Outcome.DELIVERED, endpoint + " accepted the connection"
                    + (config.authenticates() ? " and the login" : " (no login configured)"), java.util.Optional.empty()));
        } catch (MessagingException e) {
            DeliveryResult classified = SmtpFailures.classify(e, endpoint);
            return java.util.Optional.of(new DeliveryResult(classified.outcome(), redact(classified.detail()),
                    classified.retryAfter()));
        } catch (RuntimeException e) {
            return java.util.Optional.of(DeliveryResult.retryable(redact("unexpected error with " + endpoint + ": "
                    + SmtpFailures.firstLine(e.toString()))));
        }
    }

    private void send(MimeMessage message) throws MessagingException {
        Transport transport = session.getTransport("smtp");
        try {
            transport.connect(config.host(), config.port(), config.username().orElse(null),
                    config.password().orElse(null));
            transport.sendMessage(message, to);
        } finally {
            try {
                transport.close();
            } catch (MessagingException e) {
                // after a successful send the mail is already accepted; after a failure the first error counts
                log.debug("Email sink {}: closing the SMTP connection failed: {}", instanceName,
                        redact(SmtpFailures.firstLine(e.getMessage())));
            }
        }
    }

    /** Last guard: the password never leaves the sink, even if a server or library echoes it. */
    private String redact(String text) {
        String password = config.password().orElse("");
        return io.alertrelay.config.ReceiverText.redact(text, java.util.List.of(password), REDACTED);
    }

    /** Idempotent. Each delivery closes its own connection, so there is nothing else to release. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            log.debug("Email sink {} closed", instanceName);
        }
    }

    private static InternetAddress address(String value) {
        try {
            return new InternetAddress(value, true);
        } catch (AddressException e) {
            // EmailSinkConfig.from already parsed it strictly
            throw new IllegalArgumentException("not a valid address: " + value, e);
        }
    }
}
