package io.alertrelay.source.redis;

import static java.util.Objects.requireNonNull;

import io.alertrelay.config.ConfigBinder;
import io.alertrelay.config.Parsers;
import io.alertrelay.config.Parsers.HostAndPort;
import io.alertrelay.spi.ConfigView;
import io.alertrelay.spi.ConfigurationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Settings of the Redis source, read from the {@code redis} section. Exactly one of {@code redis.url} (a single
 * server), {@code redis.sentinel} (a master found through Sentinel) and {@code redis.cluster} (a Redis Cluster, found
 * from seed nodes) is given.
 *
 * <pre>
 * redis:
 *   url: redis://[user:password@]host:port[/db]      # or rediss:// for TLS
 *   # or:
 *   sentinel:
 *     master: mymaster
 *     nodes: ["10.0.0.1:26379", "10.0.0.2:26379", "10.0.0.3:26379"]
 *     password: ...                                   # optional, for the sentinels (sensitive)
 *   # or:
 *   cluster:
 *     nodes: ["127.0.0.1:7000", "127.0.0.1:7001"]     # seeds; the topology is discovered from them
 *   password: ...                                     # optional, for the data nodes (sensitive)
 *   client-name: alert-relay                          # CLIENT SETNAME on every connection
 *   connect-timeout: 5s                               # TCP connect + handshake, and Sentinel look-up
 *   reconnect-delay-max: 1s                           # first reconnect at once, then 10ms, 20ms, ... up to this
 *   ping-interval: 1s                                 # application PING on the subscriber connection
 *   ping-timeout: 2s                                  # no PONG by then: drop the connection and reconnect
 *   subscribe-on: every-node                          # Sentinel only: every-node (default) | master
 *   dedup-window: 30s                                 # every-node: how long a message key is remembered
 *   dedup-max-entries: 100000                         # every-node: bound on remembered keys (oldest evicted)
 *   reconcile-interval: 5s                            # periodic topology and subscription check
 * </pre>
 *
 * <p>Passwords (the {@code password} keys and a password inside {@code url}) never appear in messages, logs or
 * {@link #toString()}: the URL is shown by {@link #redactedTarget()}.
 *
 * @param standalone        the server of {@code redis.url}, or empty in Sentinel mode
 * @param sentinel          the Sentinel settings, or empty in standalone mode
 * @param cluster           the Cluster seeds, or empty unless {@code redis.cluster} is given
 * @param password          the data nodes' password ({@code redis.password} or the URL's)
 * @param clientName        the connection name sent with CLIENT SETNAME
 * @param connectTimeout    bound on connecting (TCP, handshake) and on the Sentinel master look-up
 * @param reconnectDelayMax the largest pause between reconnect attempts
 * @param pingInterval      how often the subscriber connection is PINGed
 * @param pingTimeout       how long a PING may stay unanswered before the connection is dropped
 * @param subscribeOn       Sentinel mode: subscribe on every data node (deduplicating) or on the master only
 * @param dedupWindow       every-node mode: how long a message key is remembered after its last receipt
 * @param dedupMaxEntries   every-node mode: how many message keys are remembered at most (oldest evicted)
 * @param reconcileInterval how often the topology (Sentinel, Cluster) and every subscription (ROLE, CLIENT INFO) are
 *                          checked
 */
public record RedisSourceConfig(
        Optional<Standalone> standalone,
        Optional<Sentinel> sentinel,
        Optional<Secret> password,
        String clientName,
        Duration connectTimeout,
        Duration reconnectDelayMax,
        Duration pingInterval,
        Duration pingTimeout,
        SubscribeOn subscribeOn,
        Duration dedupWindow,
        int dedupMaxEntries,
        Duration reconcileInterval,
        Optional<Cluster> cluster) {

    public static final String DEFAULT_CLIENT_NAME = "alert-relay";
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_RECONNECT_DELAY_MAX = Duration.ofSeconds(1);
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_PING_TIMEOUT = Duration.ofSeconds(2);
    public static final int DEFAULT_PORT = 6379;
    /** Sentinel mode's default placement. */
    public static final SubscribeOn DEFAULT_SUBSCRIBE_ON = SubscribeOn.EVERY_NODE;
    /** How long a message key is remembered for deduplication across nodes, after its last receipt. */
    public static final Duration DEFAULT_DEDUP_WINDOW = Duration.ofSeconds(30);
    /** At most this many message keys are remembered; the least recently seen is evicted first. */
    public static final int DEFAULT_DEDUP_MAX_ENTRIES = 100_000;
    /** How often the topology (Sentinel) and every subscription (ROLE, CLIENT INFO) are checked. */
    public static final Duration DEFAULT_RECONCILE_INTERVAL = Duration.ofSeconds(5);

    /** Where to subscribe in Sentinel mode ({@code redis.subscribe-on}). Standalone is always its one server. */
    public enum SubscribeOn {
        /** {@code every-node}: on the master and every replica (and a former master until it is demoted). */
        EVERY_NODE("every-node"),
        /** {@code master}: one connection that follows the master Sentinel names (re-resolved on every reconnect). */
        MASTER("master");

        private final String key;

        SubscribeOn(String key) {
            this.key = key;
        }

        /** The config value: {@code every-node} or {@code master}. */
        public String key() {
            return key;
        }

        static SubscribeOn parse(String value) {
            for (SubscribeOn option : values()) {
                if (option.key.equalsIgnoreCase(value.trim())) {
                    return option;
                }
            }
            throw new IllegalArgumentException("must be one of every-node, master");
        }
    }

    /** The settings before {@code redis.cluster} existed: not a cluster. */
    public RedisSourceConfig(Optional<Standalone> standalone, Optional<Sentinel> sentinel, Optional<Secret> password,
            String clientName, Duration connectTimeout, Duration reconnectDelayMax, Duration pingInterval,
            Duration pingTimeout, SubscribeOn subscribeOn, Duration dedupWindow, int dedupMaxEntries,
            Duration reconcileInterval) {
        this(standalone, sentinel, password, clientName, connectTimeout, reconnectDelayMax, pingInterval, pingTimeout,
                subscribeOn, dedupWindow, dedupMaxEntries, reconcileInterval, Optional.empty());
    }

    /** The settings before {@code subscribe-on} and friends existed: those take their defaults. */
    public RedisSourceConfig(Optional<Standalone> standalone, Optional<Sentinel> sentinel, Optional<Secret> password,
            String clientName, Duration connectTimeout, Duration reconnectDelayMax, Duration pingInterval,
            Duration pingTimeout) {
        this(standalone, sentinel, password, clientName, connectTimeout, reconnectDelayMax, pingInterval, pingTimeout,
                DEFAULT_SUBSCRIBE_ON, DEFAULT_DEDUP_WINDOW, DEFAULT_DEDUP_MAX_ENTRIES, DEFAULT_RECONCILE_INTERVAL);
    }

    public RedisSourceConfig {
        requireNonNull(standalone, "standalone is null");
        requireNonNull(sentinel, "sentinel is null");
        requireNonNull(password, "password is null");
        requireNonNull(clientName, "clientName is null");
        requireNonNull(connectTimeout, "connectTimeout is null");
        requireNonNull(reconnectDelayMax, "reconnectDelayMax is null");
        requireNonNull(pingInterval, "pingInterval is null");
        requireNonNull(pingTimeout, "pingTimeout is null");
        requireNonNull(subscribeOn, "subscribeOn is null");
        requireNonNull(dedupWindow, "dedupWindow is null");
        requireNonNull(reconcileInterval, "reconcileInterval is null");
        if (dedupMaxEntries < 1) {
            throw new IllegalArgumentException("dedupMaxEntries must be at least 1");
        }
        requireNonNull(cluster, "cluster is null");
        if ((standalone.isPresent() ? 1 : 0) + (sentinel.isPresent() ? 1 : 0) + (cluster.isPresent() ? 1 : 0) != 1) {
            throw new IllegalArgumentException("exactly one of standalone, sentinel and cluster must be given");
        }
    }

    /** A single server ({@code redis.url}). */
    public record Standalone(String host, int port, boolean tls, int database, Optional<String> username) {
        public Standalone {
            requireNonNull(host, "host is null");
            requireNonNull(username, "username is null");
        }

        /** {@code redis://user:****@host:port/db}: the URL without its password. */
        public String redactedUrl(boolean hasPassword) {
            String auth = username.map(user -> user + (hasPassword ? ":****" : "") + "@")
                    .orElse(hasPassword ? ":****@" : "");
            String shownHost = host.contains(":") ? "[" + host + "]" : host;
            return (tls ? "rediss" : "redis") + "://" + auth + shownHost + ":" + port + "/" + database;
        }
    }

    /** A master found through Sentinel ({@code redis.sentinel}). */
    public record Sentinel(String masterName, List<HostAndPort> nodes, Optional<Secret> password) {
        public Sentinel {
            requireNonNull(masterName, "masterName is null");
            nodes = List.copyOf(nodes);
            requireNonNull(password, "password is null");
        }
    }

    /**
     * A Redis Cluster ({@code redis.cluster}): seed nodes ({@code host:port}) to discover the topology from
     * ({@code CLUSTER NODES}); the data nodes' password is {@code redis.password}.
     */
    public record Cluster(List<HostAndPort> nodes) {
        public Cluster {
            nodes = List.copyOf(nodes);
            if (nodes.isEmpty()) {
                throw new IllegalArgumentException("at least one cluster seed node is required");
            }
        }
    }

    /** A password. Its {@link #toString()} never shows it; use {@link #reveal()} where it is really needed. */
    public static final class Secret {
        private final String value;

        public Secret(String value) {
            this.value = requireNonNull(value, "value is null");
        }

        public String reveal() {
            return value;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Secret secret && secret.value.equals(value);
        }

        @Override
        public int hashCode() {
            return value.hashCode();
        }

        @Override
        public String toString() {
            return "****";
        }
    }

    /**
     * Reads the {@code redis} section. Every problem is reported at once, under its full key, in one
     * {@link ConfigurationException}; values of password keys and passwords in URLs are never shown.
     */
    public static RedisSourceConfig from(ConfigView redis) {
        ConfigBinder c = new ConfigBinder(redis);
        boolean hasUrl = isSet(redis, "url");
        boolean hasSentinel = isSet(redis, "sentinel");
        boolean hasCluster = isSet(redis, "cluster");
        if (hasUrl && hasSentinel) {
            c.problem("url", "give either " + redis.fullKey("url") + " or " + redis.fullKey("sentinel") + ", not both");
        } else if ((hasUrl || hasSentinel) && hasCluster) {
            c.problem("cluster", "give either " + redis.fullKey(hasUrl ? "url" : "sentinel") + " or "
                    + redis.fullKey("cluster") + ", not both");
        } else if (!hasUrl && !hasSentinel && !hasCluster) {
            c.problem("url", "is required unless " + redis.fullKey("sentinel") + " or " + redis.fullKey("cluster")
                    + " is given (give exactly one of " + redis.fullKey("url") + ", " + redis.fullKey("sentinel") + ", "
                    + redis.fullKey("cluster") + ")");
        }

        Optional<Secret> password = c.secret("password", Parsers::string).map(Secret::new);

        Optional<Standalone> standalone = Optional.empty();
        Optional<String> rawUrl = c.secret("url", Parsers::string);
        if (rawUrl.isPresent()) {
            try {
                ParsedUrl url = ParsedUrl.parse(rawUrl.get());
                standalone = Optional.of(url.standalone());
                if (url.password().isPresent()) {
                    if (password.isPresent()) {
                        c.problem("password", "is also given in " + redis.fullKey("url") + "; give it only once");
                    }
                    password = url.password();
                }
                if (url.standalone().username().isPresent() && password.isEmpty()) {
                    c.problem("url", "has a user name but no password (redis://user:password@host:port)");
                }
            } catch (IllegalArgumentException e) {
                c.problem("url", ParsedUrl.redact(rawUrl.get()).map(shown -> "'" + shown + "' ").orElse("value ")
                        + e.getMessage() + " (e.g. redis://host:6379, rediss://user:password@host:6380/0)");
            }
        }

        Optional<Sentinel> sentinel = Optional.empty();
        if (hasSentinel) {
            sentinel = readSentinel(redis, c);
        }
        Optional<Cluster> cluster = Optional.empty();
        if (hasCluster && !hasUrl && !hasSentinel) {
            cluster = readCluster(redis, c);
        }
        if (hasCluster && isSet(redis, "subscribe-on")) {
            c.problem("subscribe-on", "applies to " + redis.fullKey("sentinel") + " only; with "
                    + redis.fullKey("cluster") + " the relay subscribes on every master");
        }

        String clientName = c.optional("client-name", Parsers::string, DEFAULT_CLIENT_NAME);
        c.check(clientName.chars().noneMatch(ch -> ch <= ' ' || ch > '~'), "client-name",
                "must be printable ASCII without spaces (Redis CLIENT SETNAME rejects others)");
        Duration connectTimeout = positive(c, "connect-timeout", DEFAULT_CONNECT_TIMEOUT);
        Duration reconnectDelayMax = positive(c, "reconnect-delay-max", DEFAULT_RECONNECT_DELAY_MAX);
        Duration pingInterval = positive(c, "ping-interval", DEFAULT_PING_INTERVAL);
        Duration pingTimeout = positive(c, "ping-timeout", DEFAULT_PING_TIMEOUT);
        SubscribeOn subscribeOn = c.optional("subscribe-on", SubscribeOn::parse, DEFAULT_SUBSCRIBE_ON);
        Duration dedupWindow = positive(c, "dedup-window", DEFAULT_DEDUP_WINDOW);
        int dedupMaxEntries = c.optional("dedup-max-entries", Parsers::positiveInt, DEFAULT_DEDUP_MAX_ENTRIES);
        Duration reconcileInterval = positive(c, "reconcile-interval", DEFAULT_RECONCILE_INTERVAL);

        c.throwIfInvalid();
        return new RedisSourceConfig(standalone, sentinel, password, clientName, connectTimeout, reconnectDelayMax,
                pingInterval, pingTimeout, subscribeOn, dedupWindow, dedupMaxEntries, reconcileInterval, cluster);
    }

    /**
     * Whether this config subscribes on several data nodes and delivers each message once: Sentinel mode with
     * {@code subscribe-on: every-node}, or a Cluster (every master).
     */
    public boolean everyNode() {
        return cluster.isPresent() || (sentinel.isPresent() && subscribeOn == SubscribeOn.EVERY_NODE);
    }

    /** {@code redis://host:port/db} or {@code sentinel mymaster via [h1:p1, h2:p2]}, without any password. */
    public String redactedTarget() {
        if (standalone.isPresent()) {
            return standalone.get().redactedUrl(password.isPresent());
        }
        if (cluster.isPresent()) {
            return "cluster via " + cluster.get().nodes();
        }
        Sentinel s = sentinel.orElseThrow();
        return "sentinel master '" + s.masterName() + "' via " + s.nodes();
    }

    @Override
    public String toString() {
        return "RedisSourceConfig[target=" + redactedTarget()
                + ", password=" + (password.isPresent() ? "****" : "none")
                + sentinel.map(s -> ", sentinel-password=" + (s.password().isPresent() ? "****" : "none")).orElse("")
                + ", clientName=" + clientName + ", connectTimeout=" + connectTimeout
                + ", reconnectDelayMax=" + reconnectDelayMax + ", pingInterval=" + pingInterval
                + ", pingTimeout=" + pingTimeout + ", reconcileInterval=" + reconcileInterval
                + (sentinel.isPresent() ? ", subscribeOn=" + subscribeOn.key() : "")
                + (everyNode() ? ", dedupWindow=" + dedupWindow + ", dedupMaxEntries=" + dedupMaxEntries : "")
                + "]";
    }

    private static Optional<Sentinel> readSentinel(ConfigView redis, ConfigBinder c) {
        int problemsBefore = c.problems().size();
        ConfigBinder s = c.section("sentinel"); // shares c's problems
        ConfigView section = s.view();
        ConfigBinder.Required<String> master = s.required("master", Parsers::string);
        List<HostAndPort> nodes = s.list("nodes", Parsers::hostAndPort);
        if (nodes.isEmpty() && c.problems().size() == problemsBefore && isAbsentOrEmpty(section, "nodes")) {
            s.problem("nodes", "is required: a list of sentinel host:port (e.g. [\"10.0.0.1:26379\"])");
        }
        Optional<Secret> password = s.secret("password", Parsers::string).map(Secret::new);
        if (c.problems().size() > problemsBefore) {
            return Optional.empty();
        }
        return Optional.of(new Sentinel(master.get(), nodes, password));
    }

    private static Optional<Cluster> readCluster(ConfigView redis, ConfigBinder c) {
        ConfigView section;
        try {
            section = redis.section("cluster");
        } catch (ConfigurationException e) {
            c.addAll(e.problems());
            return Optional.empty();
        }
        ConfigBinder s = new ConfigBinder(section);
        List<HostAndPort> nodes = s.list("nodes", Parsers::hostAndPort);
        if (nodes.isEmpty() && s.isValid() && isAbsentOrEmpty(section, "nodes")) {
            s.problem("nodes", "is required: a list of cluster node host:port to discover the cluster from"
                    + " (e.g. [\"10.0.0.1:7000\", \"10.0.0.2:7000\"])");
        }
        c.addAll(s.problems());
        if (!s.isValid()) {
            return Optional.empty();
        }
        return Optional.of(new Cluster(nodes));
    }

    private static boolean isAbsentOrEmpty(ConfigView view, String key) {
        try {
            return view.getList(key).map(List::isEmpty).orElse(true);
        } catch (ConfigurationException e) {
            return false;
        }
    }

    private static Duration positive(ConfigBinder c, String key, Duration defaultValue) {
        Duration value = c.optional(key, Parsers::duration, defaultValue);
        c.check(!value.isZero() && !value.isNegative(), key, "must be greater than 0");
        return value;
    }

    private static boolean isSet(ConfigView view, String key) {
        if (!view.keys().contains(key)) {
            return false;
        }
        try {
            return view.get(key).isPresent();
        } catch (ConfigurationException e) {
            return true;   // a section or list: present (and, for url, reported as invalid when read)
        }
    }

    /** The parts of a {@code redis://} URL. */
    record ParsedUrl(Standalone standalone, Optional<Secret> password) {
        static ParsedUrl parse(String raw) {
            URI uri;
            try {
                uri = new URI(raw.trim());
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("is not a valid URL");
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("redis") && !scheme.equals("rediss")) {
                throw new IllegalArgumentException("must start with redis:// or rediss://");
            }
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                throw new IllegalArgumentException("has no host (or an invalid host or port)");
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new IllegalArgumentException("must not have query parameters or a fragment (use the redis.* keys)");
            }
            int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("has a port outside 1-65535");
            }
            int database = 0;
            String path = uri.getPath() == null ? "" : uri.getPath();
            if (!path.isEmpty() && !path.equals("/")) {
                try {
                    database = Integer.parseInt(path.substring(1));
                } catch (NumberFormatException e) {
                    database = -1;
                }
                if (database < 0) {
                    throw new IllegalArgumentException("has a path that is not a database number (redis://host:port/0)");
                }
            }
            Optional<String> username = Optional.empty();
            Optional<Secret> password = Optional.empty();
            String userInfo = uri.getRawUserInfo();
            if (userInfo != null && !userInfo.isEmpty()) {
                int colon = userInfo.indexOf(':');
                String user = colon < 0 ? "" : decode(userInfo.substring(0, colon));
                String secret = decode(colon < 0 ? userInfo : userInfo.substring(colon + 1));
                username = user.isEmpty() ? Optional.empty() : Optional.of(user);
                password = secret.isEmpty() ? Optional.empty() : Optional.of(new Secret(secret));
            }
            String host = uri.getHost();
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return new ParsedUrl(new Standalone(host, port, scheme.equals("rediss"), database, username), password);
        }

        /**
         * The URL with everything between {@code ://} and the last {@code @} replaced (keeping a user name), or empty
         * when it does not even look like {@code scheme://...} and might hide a password somewhere.
         */
        static Optional<String> redact(String raw) {
            String trimmed = raw.trim();
            int schemeEnd = trimmed.indexOf("://");
            if (schemeEnd < 0) {
                return trimmed.contains("@") ? Optional.empty() : Optional.of(abbreviate(trimmed));
            }
            int at = trimmed.lastIndexOf('@');
            if (at < schemeEnd) {
                return Optional.of(abbreviate(trimmed));
            }
            String userInfo = trimmed.substring(schemeEnd + 3, at);
            int colon = userInfo.indexOf(':');
            String user = colon < 0 ? "" : userInfo.substring(0, colon);
            return Optional.of(abbreviate(trimmed.substring(0, schemeEnd + 3) + user + ":****" + trimmed.substring(at)));
        }

        private static String abbreviate(String value) {
            return value.length() <= 80 ? value : value.substring(0, 77) + "...";
        }

        private static String decode(String value) {
            try {
                return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("has an invalid %-escape in its user or password"); // no value
            }
        }
    }
}
