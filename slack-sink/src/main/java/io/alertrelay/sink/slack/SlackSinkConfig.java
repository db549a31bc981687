package io.alertrelay.sink.slack;

import static java.util.Objects.requireNonNull;

import io.alertrelay.config.ConfigBinder;
import io.alertrelay.config.Parsers;
import io.alertrelay.spi.ConfigView;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;

/**
 * The settings of one Slack sink ({@code sinks.<id>} with {@code type: slack}).
 *
 * <p>The webhook URL carries Slack's token, so it is a secret: it is read with {@link ConfigBinder#requiredSecret}
 * (sensitive: never quoted in a configuration error, masked in the effective configuration) and {@link #toString()} shows only its scheme and host.
 *
 * @param webhookUrl     {@code webhook-url}: the incoming-webhook URL (http or https)
 * @param timeout        {@code timeout}: bound on one whole delivery call (connect, write, read); default 10s
 * @param connectTimeout {@code connect-timeout}: bound on opening the connection; default 5s
 * @param channel        {@code channel}: channel override (honoured by legacy webhooks only)
 * @param username       {@code username}: display-name override (honoured by legacy webhooks only)
 * @param iconEmoji      {@code icon-emoji}: icon override such as {@code :rotating_light:} (legacy webhooks only)
 */
public record SlackSinkConfig(
        URI webhookUrl,
        Duration timeout,
        Duration connectTimeout,
        Optional<String> channel,
        Optional<String> username,
        Optional<String> iconEmoji) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration MAX_TIMEOUT = Duration.ofMinutes(1);

    private static final Pattern EMOJI = Pattern.compile(":[a-z0-9_+'-]+:");

    public SlackSinkConfig {
        requireNonNull(webhookUrl, "webhookUrl is null");
        requireNonNull(timeout, "timeout is null");
        requireNonNull(connectTimeout, "connectTimeout is null");
        requireNonNull(channel, "channel is null");
        requireNonNull(username, "username is null");
        requireNonNull(iconEmoji, "iconEmoji is null");
    }

    /** Reads and validates the section; throws one {@code ConfigurationException} listing every problem. */
    public static SlackSinkConfig from(ConfigView view) {
        return from(new ConfigBinder(view));
    }

    /** Reads and validates the binder's section; throws one {@code ConfigurationException} listing every problem. */
    public static SlackSinkConfig from(ConfigBinder c) {
        ConfigBinder.Required<URI> url = c.requiredSecret("webhook-url", Parsers::httpUrl);
        url.asOptional().ifPresent(u -> c.check(HttpUrl.parse(u.toString()) != null, "webhook-url",
                "value is not a valid http or https URL (value not shown: sensitive)"));

        Duration effectiveTimeout = c.optional("timeout", Parsers::duration, DEFAULT_TIMEOUT);
        c.check(effectiveTimeout.compareTo(Duration.ZERO) > 0, "timeout", "must be greater than 0");
        c.check(effectiveTimeout.compareTo(MAX_TIMEOUT) <= 0, "timeout", "must be at most 1m");
        boolean connectTimeoutSet = c.isPresent("connect-timeout");
        Duration connectTimeout = c.optional("connect-timeout", Parsers::duration, DEFAULT_CONNECT_TIMEOUT);
        c.check(connectTimeout.compareTo(Duration.ZERO) > 0, "connect-timeout", "must be greater than 0");
        c.check(!connectTimeoutSet || connectTimeout.compareTo(effectiveTimeout) <= 0, "connect-timeout",
                "must be at most timeout (" + format(effectiveTimeout) + ")");

        Optional<String> channel = c.optional("channel", Parsers::string);
        Optional<String> username = c.optional("username", Parsers::string);
        Optional<String> iconEmoji = c.optional("icon-emoji", Parsers::string);
        iconEmoji.ifPresent(emoji -> c.check(EMOJI.matcher(emoji).matches(), "icon-emoji",
                "'" + emoji + "' is not an emoji name like :rotating_light:"));

        c.throwIfInvalid();
        return new SlackSinkConfig(url.get(), effectiveTimeout, connectTimeout, channel,
                username, iconEmoji);
    }

    /** The webhook URL with everything after the host replaced: safe for logs. */
    public String redactedWebhookUrl() {
        return redact(webhookUrl);
    }

    static String redact(URI url) {
        String port = url.getPort() < 0 ? "" : ":" + url.getPort();
        return url.getScheme() + "://" + url.getHost() + port + "/<redacted>";
    }

    private static String format(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }

    /** Never shows the webhook token. */
    @Override
    public String toString() {
        return "SlackSinkConfig[webhookUrl=" + redactedWebhookUrl()
                + ", timeout=" + format(timeout)
                + ", connectTimeout=" + format(connectTimeout)
                + ", channel=" + channel.orElse("<default>")
                + ", username=" + username.orElse("<default>")
                + ", iconEmoji=" + iconEmoji.orElse("<default>") + "]";
    }
}
