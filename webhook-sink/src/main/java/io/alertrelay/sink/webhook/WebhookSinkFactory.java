package io.alertrelay.sink.webhook;

import static java.util.Objects.requireNonNull;

import io.alertrelay.spi.ConfigView;
import io.alertrelay.spi.Sink;
import io.alertrelay.spi.SinkContext;
import io.alertrelay.spi.SinkFactory;

/**
 * {@code type: webhook}: POSTs each alert as JSON to any HTTP endpoint, optionally shaped by a template, with custom
 * headers and an HMAC-SHA256 signature.
 *
 * <p>Keys (see {@link WebhookSinkConfig} and {@code docs/sinks/webhook.md}): {@code url} (required, sensitive),
 * {@code headers} (values sensitive), {@code signing-secret} (sensitive), {@code template}, {@code timeout} (10s),
 * {@code connect-timeout} (5s). {@link #create} validates every key and makes no network calls.
 */
public final class WebhookSinkFactory implements SinkFactory {

    @Override
    public String name() {
        return "webhook";
    }

    @Override
    public Sink create(ConfigView config, SinkContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        WebhookSinkConfig webhook = WebhookSinkConfig.from(config);
        WebhookSink sink = new WebhookSink(webhook, context);
        return sink;
    }

    /** Parses only: the sink's HTTP client is made by {@link #create}. */
    @Override
    public void validate(ConfigView config, SinkContext context) {
        WebhookSinkConfig.from(config);
    }
}
