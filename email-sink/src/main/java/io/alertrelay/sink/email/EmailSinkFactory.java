package io.alertrelay.sink.email;

import static java.util.Objects.requireNonNull;

import io.alertrelay.spi.ConfigView;
import io.alertrelay.spi.Sink;
import io.alertrelay.spi.SinkContext;
import io.alertrelay.spi.SinkFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code type: email}: one mail per notification over SMTP (Jakarta Mail / Angus), STARTTLS required by default.
 *
 * <p>Keys: {@code host}, {@code port}, {@code tls}, {@code username}, {@code password}, {@code from}, {@code to},
 * {@code subject-prefix}, {@code timeout}; see {@link EmailSinkConfig} and {@code docs/sinks/email.md}. Creating a sink
 * validates the config and makes no network call.
 */
public final class EmailSinkFactory implements SinkFactory {
    private static final Logger log = LoggerFactory.getLogger(EmailSinkFactory.class);

    @Override
    public String name() {
        return "email";
    }

    @Override
    public Sink create(ConfigView config, SinkContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        EmailSinkConfig emailConfig = EmailSinkConfig.from(config);
        if (emailConfig.tls() == EmailSinkConfig.Tls.NONE) {
            log.warn("Email sink {}: {}: none, so alerts{} cross the network to {} unencrypted; use it only for a local"
                    + " relay or a test server", context.instanceName(), config.fullKey("tls"),
                    emailConfig.authenticates() ? " and the SMTP password" : "", emailConfig.host());
        }
        return new EmailSink(emailConfig, context);
    }

    /** Parses only; the warning about {@code tls: none} is logged once, by {@link #create}. */
    @Override
    public void validate(ConfigView config, SinkContext context) {
        EmailSinkConfig.from(config);
    }
}
