package io.alertrelay.sink.webhook;

import static java.util.Objects.requireNonNull;

import io.alertrelay.config.ConfigBinder;
import io.alertrelay.config.Parsers;
import io.alertrelay.spi.ConfigView;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import okhttp3.HttpUrl;

/**
 * The settings of one webhook sink ({@code sinks.<id>} with {@code type: webhook}). See {@code docs/sinks/webhook.md}.
 *
 * <p>The URL (it may carry a token in its path or query), every header value and the signing secret are secrets: they
 * are read as secrets ({@link ConfigBinder#secret}) (never quoted in a configuration error) and
 * {@link #toString()} masks them.
 *
 * @param url            {@code url}: where to POST (http or https)
 * @param headers        {@code headers}: extra request headers, name to value, in config order
 * @param signingSecret  {@code signing-secret}: key of the {@code X-Alert-Relay-Signature} HMAC; none: no signature
 * @param template       {@code template}: a JSON object with {@code {{field}}} placeholders; none: the fixed schema
 * @param timeout        {@code timeout}: bound on one whole delivery call; default 10s, at most 1m
 * @param connectTimeout {@code connect-timeout}: bound on opening the connection; default 5s (or {@code timeout} if
 *                       smaller), at most {@code timeout}
 */
public record WebhookSinkConfig(
        URI url,
        Map<String, String> headers,
        Optional<String> signingSecret,
        Optional<String> template,
        Duration timeout,
        Duration connectTimeout) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration MAX_TIMEOUT = Duration.ofMinutes(1);
    static final int MAX_HEADERS = 20;
    static final int MAX_HEADER_VALUE = 8192;
    static final int MIN_SIGNING_SECRET = 16;
    static final int MAX_SIGNING_SECRET = 1024;
    static final int MAX_TEMPLATE = 16 * 1024;
    /** Headers the sink sets itself. */
    static final Set<String> RESERVED_HEADERS = Set.of("content-type", "content-length", "content-encoding", "host",
            "transfer-encoding", "connection", "te", "upgrade", "x-alert-relay-signature");

    public WebhookSinkConfig {
        requireNonNull(url, "url is null");
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(headers, "headers is null")));
        requireNonNull(signingSecret, "signingSecret is null");
        requireNonNull(template, "template is null");
        requireNonNull(timeout, "timeout is null");
        requireNonNull(connectTimeout, "connectTimeout is null");
    }

    /** Reads and validates the section; throws one {@code ConfigurationException} listing every problem. */
    public static WebhookSinkConfig from(ConfigView view) {
        ConfigBinder c = new ConfigBinder(view);
        ConfigBinder.Required<URI> required = c.requiredSecret("url", Parsers::httpUrl);
        URI url = required.asOptional().orElse(null);
        if (url != null && HttpUrl.parse(url.toString()) == null) {
            c.problem("url", "value is not a valid http or https URL (value not shown: sensitive)");
        }
        if (url != null && url.getRawUserInfo() != null) {
            c.problem("url", "must not contain user:password@ (put credentials in headers; value not shown: sensitive)");
        }

        Map<String, String> headers = headers(c);

        Optional<String> signingSecret = c.secret("signing-secret", Parsers::string);
        signingSecret.ifPresent(secret -> c.check(secret.length() >= MIN_SIGNING_SECRET
                && secret.length() <= MAX_SIGNING_SECRET, "signing-secret",
                "must be " + MIN_SIGNING_SECRET + " to " + MAX_SIGNING_SECRET
                        + " characters long (value not shown: sensitive)"));

        Optional<String> template = c.optional("template", WebhookSinkConfig::parseTemplate);

        Optional<Duration> timeout = c.optional("timeout", Parsers::duration);
        timeout.ifPresent(t -> c.check(t.compareTo(Duration.ZERO) > 0 && t.compareTo(MAX_TIMEOUT) <= 0, "timeout",
                "must be more than 0 and at most 1m"));
        Duration effectiveTimeout = timeout.orElse(DEFAULT_TIMEOUT);
        Optional<Duration> connectTimeout = c.optional("connect-timeout", Parsers::duration);
        connectTimeout.ifPresent(t -> c.check(t.compareTo(Duration.ZERO) > 0 && t.compareTo(effectiveTimeout) <= 0,
                "connect-timeout", "must be more than 0 and at most timeout (" + format(effectiveTimeout) + ")"));

        c.throwIfInvalid();
        Duration effectiveConnect = connectTimeout.orElse(
                DEFAULT_CONNECT_TIMEOUT.compareTo(effectiveTimeout) <= 0 ? DEFAULT_CONNECT_TIMEOUT : effectiveTimeout);
        return new WebhookSinkConfig(required.get(), headers, signingSecret, template, effectiveTimeout, effectiveConnect);
    }

    /** {@code headers:}, a section of name: value; every value sensitive. */
    private static Map<String, String> headers(ConfigBinder c) {
        ConfigBinder h = c.section("headers"); // shares c's problems
        Map<String, String> headers = new LinkedHashMap<>();
        Map<String, String> seen = new LinkedHashMap<>(); // lower-case name -> name as written
        for (String name : h.keys()) {
            int problemsBefore = h.problems().size();
            Optional<String> value = h.secret(name, WebhookSinkConfig::parseHeaderValue);
            if (!isToken(name)) {
                h.problem(name, "is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)");
                continue;
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (RESERVED_HEADERS.contains(lower)) {
                h.problem(name, "is set by the sink itself and cannot be configured");
                continue;
            }
            String previous = seen.putIfAbsent(lower, name);
            if (previous != null) {
                h.problem(name, "repeats header " + previous + " (header names are case-insensitive)");
                continue;
            }
            if (value.isEmpty() && h.problems().size() == problemsBefore) {
                h.problem(name, "needs a value");
            }
            value.ifPresent(v -> headers.put(name, v));
        }
        if (headers.size() > MAX_HEADERS) {
            c.problem("headers", "has " + headers.size() + " headers; at most " + MAX_HEADERS);
        }
        return headers;
    }

    private static String parseHeaderValue(String value) {
        if (value.isBlank()) {
            throw new IllegalArgumentException("must not be blank");
        }
        if (value.length() > MAX_HEADER_VALUE) {
            throw new IllegalArgumentException("is longer than " + MAX_HEADER_VALUE + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch != '\t' && (ch < 0x20 || ch > 0x7e)) {
                throw new IllegalArgumentException("must be printable ASCII (no line breaks or control characters)");
            }
        }
        return value.strip();
    }

    private static String parseTemplate(String value) {
        if (value.length() > MAX_TEMPLATE) {
            throw new IllegalArgumentException("is longer than 16KiB");
        }
        WebhookTemplate.parse(value); // throws IllegalArgumentException saying what is wrong
        return value;
    }

    private static boolean isToken(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            boolean ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(ch) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The URL with everything after the host and port replaced: safe for logs. */
    public String redactedUrl() {
        String port = url.getPort() < 0 ? "" : ":" + url.getPort();
        return url.getScheme() + "://" + url.getHost() + port + "/<redacted>";
    }

    static String format(Duration duration) {
        if (duration.toMillis() % 1000 != 0) {
            return duration.toMillis() + "ms";
        }
        return duration.toSeconds() % 60 == 0 && !duration.isZero() ? duration.toMinutes() + "m"
                : duration.toSeconds() + "s";
    }

    /** Never shows the URL's path or query, a header value or the signing secret. */
    @Override
    public String toString() {
        return "WebhookSinkConfig[url=" + redactedUrl()
                + ", headers=" + headers.keySet().stream().map(name -> name + "=****")
                        .collect(Collectors.joining(", ", "[", "]"))
                + ", signingSecret=" + (signingSecret.isPresent() ? "****" : "<none>")
                + ", template=" + template.map(t -> "custom (" + t.length() + " chars)").orElse("<default>")
                + ", timeout=" + format(timeout)
                + ", connectTimeout=" + format(connectTimeout) + "]";
    }
}
