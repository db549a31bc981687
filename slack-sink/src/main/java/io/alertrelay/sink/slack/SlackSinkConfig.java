package io.alertrelay.sink.slack;

import static java.util.Objects.requireNonNull;

import io.alertrelay.config.ConfigBinder;
import io.alertrelay.config.Parsers;
import io.alertrelay.spi.ConfigView;
import io.alertrelay.spi.ConfigurationException;
import io.alertrelay.spi.Severity;
import java.net.URI;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;

/**
 * The settings of one Slack sink ({@code sinks.<id>} with {@code type: slack}).
 *
 * <p>Two transports: an incoming webhook ({@code webhook-url}), or the Web API ({@code token} + {@code channel}, posting
 * with {@code chat.postMessage} to {@code api-url}). Exactly one of {@code webhook-url} and {@code token} is set.
 *
 * <p>The webhook URL carries Slack's token, so it is a secret, like the bot token: both are read as
 * sensitive ({@link ConfigBinder#secret}, {@link ConfigBinder#requiredSecret}: never quoted in a configuration error,
 * masked in the effective configuration) (never quoted in a configuration error) and {@link #toString()} shows
 * only the webhook's scheme and host, and never the token.
 *
 * @param webhookUrl     {@code webhook-url}: the incoming-webhook URL (http or https); null with the Web API
 * @param timeout        {@code timeout}: bound on one whole delivery call (connect, write, read); default 10s
 * @param connectTimeout {@code connect-timeout}: bound on opening the connection; default 5s
 * @param channel        {@code channel}: channel override (honoured by legacy webhooks only)
 * @param username       {@code username}: display-name override (honoured by legacy webhooks only)
 * @param iconEmoji      {@code icon-emoji}: icon override such as {@code :rotating_light:} (legacy webhooks only)
 * @param token          {@code token}: a bot token ({@code xoxb-…}) for the Web API; empty with a webhook
 * @param apiUrl         {@code api-url}: the Web API's base, default {@code https://slack.com/api/}
 * @param mentions       {@code mention}: operator text put before an alert of that severity (e.g.
 *                       {@code <!subteam^S123>}), sent as written; one string for every severity or a map per severity
 */
public record SlackSinkConfig(
        URI webhookUrl,
        Duration timeout,
        Duration connectTimeout,
        Optional<String> channel,
        Optional<String> username,
        Optional<String> iconEmoji,
        Optional<String> token,
        URI apiUrl,
        Map<Severity, String> mentions) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration MAX_TIMEOUT = Duration.ofMinutes(1);
    public static final URI DEFAULT_API_URL = URI.create("https://slack.com/api/");

    private static final Pattern EMOJI = Pattern.compile(":[a-z0-9_+'-]+:");

    /** A webhook sink without mentions. */
    public SlackSinkConfig(URI webhookUrl, Duration timeout, Duration connectTimeout, Optional<String> channel,
                           Optional<String> username, Optional<String> iconEmoji) {
        this(webhookUrl, timeout, connectTimeout, channel, username, iconEmoji, Optional.empty(), DEFAULT_API_URL,
                Map.of());
    }

    public SlackSinkConfig {
        requireNonNull(token, "token is null");
        if (token.isEmpty()) {
            requireNonNull(webhookUrl, "webhookUrl is null");
        }
        requireNonNull(apiUrl, "apiUrl is null");
        mentions = Map.copyOf(requireNonNull(mentions, "mentions is null"));
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
        Optional<String> token = c.secret("token", Parsers::string);
        URI url = null;
        if (token.isEmpty()) {
            // the Web API's token and channel are the other way; docs/sinks/slack.md
            url = c.requiredSecret("webhook-url", Parsers::httpUrl).asOptional().orElse(null);
        } else if (c.view().keys().contains("webhook-url")) {
            c.secret("webhook-url", Parsers::string);
            c.problem("webhook-url", "set both webhook-url and token; use one transport: webhook-url, or token "
                    + "and channel (the Web API)");
        }
        if (url != null && HttpUrl.parse(url.toString()) == null) {
            c.problem("webhook-url", "value is not a valid http or https URL (value not shown: sensitive)");
        }
        token.ifPresent(t -> c.check(!t.isBlank() && t.chars().noneMatch(Character::isWhitespace), "token",
                "must be a Slack token without spaces (value not shown: sensitive)"));
        URI apiUrl = c.optional("api-url", Parsers::httpUrl, DEFAULT_API_URL);
        if (!apiUrl.toString().endsWith("/")) {
            apiUrl = URI.create(apiUrl + "/");
        }
        if (HttpUrl.parse(apiUrl.toString()) == null) {
            c.problem("api-url", "is not a valid http or https URL");
        }
        Map<Severity, String> mentions = mentions(c);

        Duration effectiveTimeout = c.optional("timeout", Parsers::duration, DEFAULT_TIMEOUT);
        c.check(effectiveTimeout.compareTo(Duration.ZERO) > 0, "timeout", "must be greater than 0");
        c.check(effectiveTimeout.compareTo(MAX_TIMEOUT) <= 0, "timeout", "must be at most 1m");
        boolean connectTimeoutSet = c.isPresent("connect-timeout");
        Duration connectTimeout = c.optional("connect-timeout", Parsers::duration, DEFAULT_CONNECT_TIMEOUT);
        c.check(connectTimeout.compareTo(Duration.ZERO) > 0, "connect-timeout", "must be greater than 0");
        c.check(!connectTimeoutSet || connectTimeout.compareTo(effectiveTimeout) <= 0, "connect-timeout",
                "must be at most timeout (" + format(effectiveTimeout) + ")");

        Optional<String> channel = c.optional("channel", Parsers::string);
        if (token.isPresent() && channel.isEmpty()) {
            c.problem("channel", "is required with token (a channel id such as C0123456789, or #name)");
        }
        Optional<String> username = c.optional("username", Parsers::string);
        Optional<String> iconEmoji = c.optional("icon-emoji", Parsers::string);
        iconEmoji.ifPresent(emoji -> c.check(EMOJI.matcher(emoji).matches(), "icon-emoji",
                "'" + emoji + "' is not an emoji name like :rotating_light:"));

        c.throwIfInvalid();
        return new SlackSinkConfig(url, effectiveTimeout, connectTimeout, channel,
                username, iconEmoji, token, apiUrl, mentions);
    }

    /** {@code mention: "<!subteam^S123>"} (every severity) or {@code mention: {critical: "<!subteam^S123>"}}. */
    private static Map<Severity, String> mentions(ConfigBinder c) {
        ConfigView view = c.view();
        if (!view.keys().contains("mention")) {
            c.optional("mention", Parsers::string);
            return Map.of();
        }
        Map<Severity, String> mentions = new EnumMap<>(Severity.class);
        ConfigView section;
        try {
            section = view.section("mention");
        } catch (ConfigurationException notASection) {
            String text = c.required("mention", Parsers::string).asOptional().orElse(null);
            if (text != null) {
                for (Severity severity : Severity.values()) {
                    mentions.put(severity, text);
                }
            }
            return mentions;
        }
        ConfigBinder perSeverity = new ConfigBinder(section);
        for (String key : section.keys()) {
            Optional<Severity> severity = Severity.fromWireName(key);
            String text = perSeverity.required(key, Parsers::string).asOptional().orElse(null);
            if (severity.isEmpty()) {
                perSeverity.problem(key, "is not a severity; use " + java.util.Arrays.stream(Severity.values())
                        .map(Severity::wireName).toList());
            } else if (text != null) {
                mentions.put(severity.get(), text);
            }
        }
        c.addAll(perSeverity.problems());
        return mentions;
    }

    /** True for the Web API ({@code token} + {@code channel}), false for an incoming webhook. */
    public boolean webApi() {
        return token.isPresent();
    }

    /** The webhook URL with everything after the host replaced: safe for logs. */
    public String redactedWebhookUrl() {
        return webhookUrl == null ? "<none: Web API>" : redact(webhookUrl);
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
        String transport = webApi() ? "SlackSinkConfig[api=" + apiUrl + ", token=<redacted>"
                : "SlackSinkConfig[webhookUrl=" + redactedWebhookUrl();
        return transport
                + ", timeout=" + format(timeout)
                + ", connectTimeout=" + format(connectTimeout)
                + ", channel=" + channel.orElse("<default>")
                + ", username=" + username.orElse("<default>")
                + ", iconEmoji=" + iconEmoji.orElse("<default>")
                + (mentions.isEmpty() ? "" : ", mentions=" + new java.util.TreeMap<>(mentions)) + "]";
    }
}
