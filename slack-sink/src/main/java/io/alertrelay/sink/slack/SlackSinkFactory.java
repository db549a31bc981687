package io.alertrelay.sink.slack;

import static java.util.Objects.requireNonNull;

import io.alertrelay.spi.ConfigView;
import io.alertrelay.spi.Sink;
import io.alertrelay.spi.SinkContext;
import io.alertrelay.spi.SinkFactory;

/**
 * {@code type: slack}: posts each alert as a Block Kit message to a Slack incoming webhook, or through the Web API
 * ({@code chat.postMessage}, resolutions edited in place with {@code chat.update}).
 *
 * <p>Keys (see {@link SlackSinkConfig} and {@code docs/sinks/slack.md}): {@code webhook-url} (sensitive) or
 * {@code token} (sensitive) + {@code channel}, {@code api-url} (https://slack.com/api/), {@code timeout} (10s),
 * {@code connect-timeout} (5s), {@code username}, {@code icon-emoji}, {@code mention}. {@link #create} validates every
 * key and makes no network calls; the token is checked with {@code auth.test} in {@link Sink#verify()}.
 */
public final class SlackSinkFactory implements SinkFactory {

    @Override
    public String name() {
        return "slack";
    }

    @Override
    public Sink create(ConfigView config, SinkContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        SlackSinkConfig slack = SlackSinkConfig.from(config);
        SlackSink sink = new SlackSink(slack, context, config.fullKey("token"));
        return sink;
    }

    /** Parses only: the sink's HTTP client is made by {@link #create}. */
    @Override
    public void validate(ConfigView config, SinkContext context) {
        SlackSinkConfig.from(config);
    }
}
