package io.alertrelay.watchdog;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's HTTP surface, on Jetty 12 core (no servlet layer):
 *
 * <ul>
 *   <li>{@code GET /health/live}: 200 {@code ok} while the process serves HTTP;</li>
 *   <li>{@code GET /health/ready}: 200 {@code {"status":"ready"}} when the {@link ReadinessCheck} passes, else 503
 *       {@code {"status":"not ready","reasons":[...]}};</li>
 *   <li>{@code GET /metrics}: the app's Prometheus text ({@value #METRICS_CONTENT_TYPE});</li>
 *   <li>{@code GET /status}: the app's status object as JSON ({@link WatchdogJson});</li>
 *   <li>whatever the app adds with {@link #addRoute} (JDK {@code HttpHandler}s, e.g. {@code /dead-letters}).</li>
 * </ul>
 * {@code HEAD} works too; other methods get 405, other paths 404; a supplier that throws gives 500 (logged).
 *
 * <p>Hardened against clients that are slow or hostile ({@link Limits}, docs/http.md): connections are read by Jetty's
 * selector, so a client that never finishes its headers or its body holds a socket, never a worker thread; a
 * connection must send its request headers within {@link Limits#headerTimeout()} and its body within
 * {@link Limits#bodyTimeout()}; headers over {@link Limits#maxHeaderBytes()} get 431, bodies over
 * {@link Limits#maxBodyBytes()} 413; at most {@link Limits#maxConnections()} connections and
 * {@link Limits#maxThreads()} workers. A request that changes state (any method but GET, HEAD, OPTIONS) needs
 * {@code Authorization: Bearer <http.token>} when a token is set, and is refused (403) without one when the server is
 * bound to anything but loopback.
 */
public final class WatchdogHttpServer implements AutoCloseable {
    public static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Logger log = LoggerFactory.getLogger(WatchdogHttpServer.class);
    private static final String JSON = "application/json";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    /**
     * What one client may take of the server. Defaults ({@link #DEFAULTS}): header timeout 5 s, body timeout 10 s, idle
     * timeout 30 s, 8 KiB of request headers, 1 MiB of body, 512 connections and 16
     * worker threads.
     *
     * @param headerTimeout   a new connection that has not sent complete request headers by then is closed
     * @param bodyTimeout     a request whose body is not complete by then gets 408 and its connection is closed
     * @param idleTimeout     a connection with no byte read or written for this long is closed (also between
     *                        keep-alive requests)
     * @param maxHeaderBytes  request line and headers together; more gets 431
     * @param maxBodyBytes    a request body larger than this gets 413
     * @param maxConnections  open connections at most; beyond it new ones wait in the accept backlog and idle ones are
     *                        closed after 1 s
     * @param maxThreads      Jetty worker threads at most (including its acceptor and selector)
     */
    public record Limits(Duration headerTimeout, Duration bodyTimeout, Duration idleTimeout, int maxHeaderBytes,
                         int maxBodyBytes, int maxConnections, int maxThreads) {
        public static final Limits DEFAULTS = new Limits(Duration.ofSeconds(5), Duration.ofSeconds(10),
                Duration.ofSeconds(30), 8 * 1024, 1024 * 1024, 512, 16);
    }

    private final Server server;
    private final ServerConnector connector;
    private final Limits limits;
    private final boolean loopback;
    private final Optional<String> token;
    private final ReadinessCheck readiness;
    private final Supplier<String> metrics;
    private final Supplier<?> status;
    private final ObjectMapper mapper = WatchdogJson.mapper();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final Map<String, HttpHandler> routes = new ConcurrentHashMap<>();
    private final Set<Connection> answered = ConcurrentHashMap.newKeySet();
    private final HttpHandler root = this::handle;

    private WatchdogHttpServer(Server server, ServerConnector connector, Limits limits, boolean loopback,
                               Optional<String> token, ReadinessCheck readiness, Supplier<String> metrics,
                               Supplier<?> status) {
        this.server = server;
        this.connector = connector;
        this.limits = limits;
        this.loopback = loopback;
        this.token = token;
        this.readiness = readiness;
        this.metrics = metrics;
        this.status = status;
    }

    /** Starts the server if {@code http.enabled}; empty otherwise. */
    public static Optional<WatchdogHttpServer> fromConfig(WatchdogConfig.Http http, ReadinessCheck readiness,
                                                          Supplier<String> metrics, Supplier<?> status) {
        return http.enabled()
                ? Optional.of(start(http.bind(), http.port(), http.token(), Limits.DEFAULTS, readiness, metrics, status))
                : Optional.empty();
    }

    /** {@link #start(String, int, Optional, Limits, ReadinessCheck, Supplier, Supplier)} without a token, default limits. */
    public static WatchdogHttpServer start(String bind, int port, ReadinessCheck readiness, Supplier<String> metrics,
                                           Supplier<?> status) {
        return start(bind, port, Optional.empty(), Limits.DEFAULTS, readiness, metrics, status);
    }

    /**
     * Binds and starts serving.
     *
     * @param port    0 = any free port (see {@link #port()})
     * @param token   {@code http.token}: required (as {@code Authorization: Bearer ...}) by requests that change state
     * @param metrics the Prometheus exposition text (the app's Micrometer registry's {@code scrape()})
     * @param status  what {@code /status} shows, assembled by the app; serialized with Jackson on each request
     * @throws UncheckedIOException naming {@code http.bind}/{@code http.port} when the address cannot be bound
     */
    public static WatchdogHttpServer start(String bind, int port, Optional<String> token, Limits limits,
                                           ReadinessCheck readiness, Supplier<String> metrics, Supplier<?> status) {
        requireNonNull(bind, "bind is null");
        requireNonNull(token, "token is null");
        requireNonNull(limits, "limits is null");
        requireNonNull(readiness, "readiness is null");
        requireNonNull(metrics, "metrics is null");
        requireNonNull(status, "status is null");
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new UncheckedIOException(new IOException("http.bind: cannot resolve '" + bind + "'"));
        }
        // Jetty's own queue (unbounded: Jetty warns against bounding it); what can queue is bounded by maxConnections
        QueuedThreadPool threads = new QueuedThreadPool(limits.maxThreads(), Math.min(2, limits.maxThreads()));
        threads.setName("watchdog-http-" + SERVERS.incrementAndGet());
        threads.setDaemon(true);
        threads.setReservedThreads(0);
        Server server = new Server(threads);
        server.setStopTimeout(0);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(limits.maxHeaderBytes());
        http.setIdleTimeout(limits.idleTimeout().toMillis());
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(address.getHostAddress());
        connector.setPort(port);
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        connector.setAcceptQueueSize(128);
        ConnectionLimit connectionLimit = new ConnectionLimit(limits.maxConnections(), connector);
        connectionLimit.setIdleTimeout(1_000);
        server.addBean(connectionLimit);
        WatchdogHttpServer watchdogServer = new WatchdogHttpServer(server, connector, limits,
                address.isLoopbackAddress(), token, readiness, metrics, status);
        connector.addEventListener(watchdogServer.new HeaderDeadline());
        server.addConnector(connector);
        server.setHandler(watchdogServer.new Dispatcher());
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // already failing
            }
            String why = e instanceof BindException || e.getCause() instanceof BindException || e instanceof IOException
                    ? e.getMessage() : e.toString();
            throw new UncheckedIOException(new IOException(
                    "http.bind/http.port: cannot listen on " + bind + ":" + port + ": " + why, e));
        }
        if (!watchdogServer.loopback && token.isEmpty()) {
            log.warn("watchdog http: bound to {} (not loopback) without http.token: requests that change state "
                    + "(POST ...) are refused with 403 until http.token is set", bind);
        }
        log.info("watchdog http: listening on {}:{} (/health/live, /health/ready, /metrics, /status)",
                bind, watchdogServer.port());
        return watchdogServer;
    }

    private static final AtomicInteger SERVERS = new AtomicInteger();
    private static final AtomicBoolean PRELOADED = new AtomicBoolean();

    /**
     * Loads Jetty's classes (and the status page's files) on a daemon thread, so that {@link #start} later costs
     * little: the app calls it before it connects to Redis, and the class loading (about half a second on a loaded
     * two-core machine) overlaps the connection instead of following the first verified subscription. Idempotent.
     */
    public static void preload() {
        if (!PRELOADED.compareAndSet(false, true)) {
            return;
        }
        Thread thread = new Thread(() -> {
            try {
                Server server = new Server(new QueuedThreadPool(2, 1));
                new ServerConnector(server, 1, 1, new HttpConnectionFactory(new HttpConfiguration()));
                new ConnectionLimit(1, server);
                ClassLoader loader = WatchdogHttpServer.class.getClassLoader();
                for (String name : new String[] {"org.eclipse.jetty.http.HttpParser", "org.eclipse.jetty.http.HttpGenerator",
                        "org.eclipse.jetty.server.HttpConnection", "org.eclipse.jetty.server.internal.HttpChannelState",
                        "org.eclipse.jetty.server.internal.HttpConnection", "org.eclipse.jetty.io.ManagedSelector",
                        "org.eclipse.jetty.io.SocketChannelEndPoint", "org.eclipse.jetty.http.HttpFields",
                        "org.eclipse.jetty.http.MetaData", "org.eclipse.jetty.http.HttpURI",
                        "io.alertrelay.watchdog.JdkExchange", "io.alertrelay.watchdog.WatchdogHttpServer$PageFile"}) {
                    try {
                        Class.forName(name, true, loader);
                    } catch (ClassNotFoundException | LinkageError e) {
                        // a name that moved between Jetty versions: start() loads what it needs anyway
                    }
                }
            } catch (RuntimeException | LinkageError e) {
                log.debug("watchdog http: preloading failed: {}", e.toString());
            }
        }, "watchdog-http-preload");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Serves {@code path} and everything under it with {@code handler}, on the same port and worker threads (the
     * longest matching path wins, as with the JDK server). For the app's operator routes ({@code /dead-letters}). The
     * handler gets the request body already read (at most {@link Limits#maxBodyBytes()}); a request that changes state
     * reaches it only if it passed the token check.
     */
    public void addRoute(String path, HttpHandler handler) {
        routes.put(requireNonNull(path, "path is null"), requireNonNull(handler, "handler is null"));
    }

    /** The bound port (the chosen one when configured as 0). */
    public int port() {
        return connector.getLocalPort();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(connector.getHost(), port());
    }

    /** The limits this server enforces. */
    public Limits limits() {
        return limits;
    }

    /** Stops listening at once and ends the worker threads. Idempotent. */
    public void stop() {
        if (stopped.compareAndSet(false, true)) {
            try {
                server.stop();
            } catch (Exception e) {
                log.warn("watchdog http: stopping failed: {}", e.toString());
            }
            log.info("watchdog http: stopped");
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            boolean head = method.equals("HEAD");
            Optional<PageFile> page = PageFile.of(path);
            if (page.isPresent() && (head || method.equals("GET"))) {
                respond(exchange, head, 200, page.get().contentType(), page.get().text());
                return;
            }
            if (!path.equals("/health/live") && !path.equals("/health/ready") && !path.equals("/metrics")
                    && !path.equals("/status")) {
                respond(exchange, head, 404, TEXT, "not found; try /health/live, /health/ready, /metrics, /status\n");
                return;
            }
            if (!head && !method.equals("GET")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, false, 405, TEXT, "method not allowed; use GET\n");
                return;
            }
            switch (path) {
                case "/health/live" -> respond(exchange, head, 200, TEXT, "ok\n");
                case "/health/ready" -> ready(exchange, head);
                case "/metrics" -> respond(exchange, head, 200, METRICS_CONTENT_TYPE, metrics.get());
                default -> respond(exchange, head, 200, JSON, mapper.writeValueAsString(status.get()));
            }
        } catch (IOException | RuntimeException e) {
            log.warn("watchdog http: {} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    e.toString());
            try {
                respond(exchange, false, 500, TEXT, "internal error: " + e.getClass().getSimpleName() + "\n");
            } catch (IOException | RuntimeException ignored) {
                // headers already sent or the client went away
            }
        } finally {
            exchange.close();
        }
    }

    private void ready(HttpExchange exchange, boolean head) throws IOException {
        Readiness result;
        try {
            result = readiness.check();
        } catch (RuntimeException e) {
            result = Readiness.notReady("readiness check failed: " + e.getClass().getSimpleName());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", result.ready() ? "ready" : "not ready");
        if (!result.ready()) {
            body.put("reasons", result.reasons());
        }
        respond(exchange, head, result.ready() ? 200 : 503, JSON, mapper.writeValueAsString(body));
    }

    private static void respond(HttpExchange exchange, boolean head, int code, String contentType, String body)
            throws IOException {
        byte[] bytes = (body == null ? "" : body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (head || bytes.length == 0) {
            exchange.sendResponseHeaders(code, -1);
            return;
        }
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The status page's files, served from the jar (no build step, no CDN): docs/status-page.md. */
    private record PageFile(String contentType, String text) {
        private static final Map<String, PageFile> FILES = Map.of(
                "/", load("index.html", "text/html; charset=utf-8"),
                "/ui/status.js", load("status.js", "text/javascript; charset=utf-8"),
                "/ui/status.css", load("status.css", "text/css; charset=utf-8"));

        static Optional<PageFile> of(String path) {
            return Optional.ofNullable(FILES.get(path));
        }

        private static PageFile load(String name, String contentType) {
            try (var in = WatchdogHttpServer.class.getResourceAsStream("page/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("status page resource missing from the jar: page/" + name);
                }
                return new PageFile(contentType, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Where the status page reads its plots' history ({@link StatusHistory}); the app adds the route. */
    public static final String HISTORY_PATH = "/status/history";

    /** A read-only route answering GET/HEAD with {@code body}'s JSON (as {@code /status}), 405 otherwise. */
    public static HttpHandler jsonRoute(Supplier<?> body) {
        requireNonNull(body, "body is null");
        ObjectMapper mapper = WatchdogJson.mapper();
        return exchange -> {
            try {
                boolean head = exchange.getRequestMethod().equals("HEAD");
                if (!head && !exchange.getRequestMethod().equals("GET")) {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    respond(exchange, false, 405, TEXT, "method not allowed; use GET\n");
                } else {
                    respond(exchange, head, 200, JSON, mapper.writeValueAsString(body.get()));
                }
            } finally {
                exchange.close();
            }
        };
    }

    private HttpHandler route(String path) {
        String best = null;
        for (String prefix : routes.keySet()) {
            if (path.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
                best = prefix;
            }
        }
        return best == null ? root : routes.get(best);
    }

    private String contextOf(String path) {
        String best = "/";
        for (String prefix : routes.keySet()) {
            if (path.startsWith(prefix) && prefix.length() > best.length()) {
                best = prefix;
            }
        }
        return best;
    }

    /** Why a request that changes state may not, or empty when it may. */
    private Optional<Refusal> refusal(Request request) {
        if (SAFE_METHODS.contains(request.getMethod())) {
            return Optional.empty();
        }
        if (token.isPresent()) {
            String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
            byte[] expected = ("Bearer " + token.get()).getBytes(StandardCharsets.UTF_8);
            byte[] given = authorization == null ? new byte[0] : authorization.strip().getBytes(StandardCharsets.UTF_8);
            return MessageDigest.isEqual(expected, given) ? Optional.empty()
                    : Optional.of(new Refusal(401, "this request changes state: send Authorization: Bearer <http.token>"));
        }
        return loopback ? Optional.empty() : Optional.of(new Refusal(403,
                "this request changes state and the server is not bound to loopback: set http.token and send "
                        + "Authorization: Bearer <http.token>"));
    }

    private record Refusal(int code, String message) {}

    private static void plain(Response response, Callback callback, int code, String body, boolean close) {
        response.setStatus(code);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, TEXT);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        if (code == 401) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
        }
        if (close) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }

    /** Routes each request; reads a body without holding a thread, then runs the route's handler on a worker. */
    private final class Dispatcher extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            answered.add(request.getConnectionMetaData().getConnection());
            String path = request.getHttpURI().getPath();
            if (path == null) {
                path = "/";
            }
            Optional<Refusal> refusal = refusal(request);
            if (refusal.isPresent()) {
                plain(response, callback, refusal.get().code(), refusal.get().message() + "\n", false);
                return true;
            }
            HttpHandler handler = route(path);
            String context = contextOf(path);
            boolean hasBody = request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING)
                    || request.getLength() > 0;
            if (!hasBody) {
                run(request, response, callback, context, handler, new byte[0]);
                return true;
            }
            if (request.getLength() > limits.maxBodyBytes()) {
                plain(response, callback, 413, "request body over " + limits.maxBodyBytes() + " bytes\n", true);
                return true;
            }
            AtomicBoolean done = new AtomicBoolean();
            connector.getScheduler().schedule(() -> {
                if (done.compareAndSet(false, true)) {
                    plain(response, callback, 408, "request body not complete within "
                            + limits.bodyTimeout().toMillis() + " ms\n", true);
                }
            }, limits.bodyTimeout().toMillis(), TimeUnit.MILLISECONDS);
            Content.Source.asByteArrayAsync(request, limits.maxBodyBytes()).whenComplete((body, failure) -> {
                if (!done.compareAndSet(false, true)) {
                    return;
                }
                if (failure != null) {
                    Throwable cause = failure instanceof java.util.concurrent.CompletionException
                            && failure.getCause() != null ? failure.getCause() : failure;
                    if (cause instanceof java.util.concurrent.TimeoutException) {
                        plain(response, callback, 408, "request body not complete within "
                                + limits.idleTimeout().toMillis() + " ms idle\n", true);
                        return;
                    }
                    boolean tooLarge = cause instanceof IllegalArgumentException
                            || String.valueOf(cause.getMessage()).contains("max");
                    plain(response, callback, tooLarge ? 413 : 400, tooLarge
                            ? "request body over " + limits.maxBodyBytes() + " bytes\n"
                            : "request body could not be read\n", true);
                    return;
                }
                try {
                    server.getThreadPool().execute(() -> run(request, response, callback, context, handler, body));
                } catch (RuntimeException rejected) {
                    plain(response, callback, 503, "busy\n", true);
                }
            });
            return true;
        }

        private void run(Request request, Response response, Callback callback, String context, HttpHandler handler,
                         byte[] body) {
            JdkExchange exchange = new JdkExchange(request, response, callback, context, handler, body);
            try {
                handler.handle(exchange);
            } catch (IOException | RuntimeException e) {
                log.warn("watchdog http: {} {} failed: {}", request.getMethod(), request.getHttpURI().getPath(),
                        e.toString());
                if (!exchange.completed() && exchange.getResponseCode() < 0) {
                    try {
                        exchange.getResponseHeaders().set("Content-Type", TEXT);
                        exchange.sendResponseHeaders(500, 0);
                        exchange.getResponseBody().write(("internal error: " + e.getClass().getSimpleName() + "\n")
                                .getBytes(StandardCharsets.UTF_8));
                    } catch (IOException ignored) {
                        // buffered: cannot happen
                    }
                }
            } finally {
                exchange.close();
            }
        }
    }

    /** Closes a connection that has not sent a complete request within {@link Limits#headerTimeout()} of opening. */
    private final class HeaderDeadline implements Connection.Listener {
        @Override
        public void onOpened(Connection connection) {
            connector.getScheduler().schedule(() -> {
                if (!answered.contains(connection) && connection.getEndPoint().isOpen()) {
                    connection.getEndPoint().close();
                }
            }, limits.headerTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void onClosed(Connection connection) {
            answered.remove(connection);
        }
    }
}
