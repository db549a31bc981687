package io.alertrelay.watchdog;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's operational endpoints, on the JDK's {@code com.sun.net.httpserver} (two worker threads):
 *
 * <ul>
 *   <li>{@code GET /health/live}: 200 {@code ok} while the process serves HTTP;</li>
 *   <li>{@code GET /health/ready}: 200 {@code {"status":"ready"}} when the {@link ReadinessCheck} passes, else 503
 *       {@code {"status":"not ready","reasons":[...]}};</li>
 *   <li>{@code GET /metrics}: the app's Prometheus text ({@value #METRICS_CONTENT_TYPE});</li>
 *   <li>{@code GET /status}: the app's status object as JSON ({@link WatchdogJson}).</li>
 * </ul>
 * {@code HEAD} works too; other methods get 405, other paths 404; a supplier that throws gives 500 (logged). Nothing
 * here is authenticated: bind it to loopback (the default) or a trusted network.
 */
public final class WatchdogHttpServer implements AutoCloseable {
    public static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    static final int THREADS = 2;

    private static final Logger log = LoggerFactory.getLogger(WatchdogHttpServer.class);
    private static final String JSON = "application/json";
    private static final String TEXT = "text/plain; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;
    private final ReadinessCheck readiness;
    private final Supplier<String> metrics;
    private final Supplier<?> status;
    private final ObjectMapper mapper = WatchdogJson.mapper();
    private final AtomicBoolean stopped = new AtomicBoolean();

    private WatchdogHttpServer(HttpServer server, ExecutorService executor, ReadinessCheck readiness,
                               Supplier<String> metrics, Supplier<?> status) {
        this.server = server;
        this.executor = executor;
        this.readiness = readiness;
        this.metrics = metrics;
        this.status = status;
    }

    /** Starts the server if {@code http.enabled}; empty otherwise. */
    public static Optional<WatchdogHttpServer> fromConfig(WatchdogConfig.Http http, ReadinessCheck readiness,
                                                          Supplier<String> metrics, Supplier<?> status) {
        return http.enabled() ? Optional.of(start(http.bind(), http.port(), readiness, metrics, status)) : Optional.empty();
    }

    /**
     * Binds and starts serving.
     *
     * @param port    0 = any free port (see {@link #port()})
     * @param metrics the Prometheus exposition text (the app's Micrometer registry's {@code scrape()})
     * @param status  what {@code /status} shows, assembled by the app; serialized with Jackson on each request
     * @throws UncheckedIOException naming {@code http.bind}/{@code http.port} when the address cannot be bound
     */
    public static WatchdogHttpServer start(String bind, int port, ReadinessCheck readiness, Supplier<String> metrics,
                                           Supplier<?> status) {
        requireNonNull(bind, "bind is null");
        requireNonNull(readiness, "readiness is null");
        requireNonNull(metrics, "metrics is null");
        requireNonNull(status, "status is null");
        InetSocketAddress address = new InetSocketAddress(bind, port);
        if (address.isUnresolved()) {
            throw new UncheckedIOException(new IOException("http.bind: cannot resolve '" + bind + "'"));
        }
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException(
                    "http.bind/http.port: cannot listen on " + bind + ":" + port + ": " + e.getMessage(), e));
        }
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, new DaemonThreads());
        WatchdogHttpServer watchdogServer = new WatchdogHttpServer(server, executor, readiness, metrics, status);
        server.createContext("/", watchdogServer::handle);
        server.setExecutor(executor);
        server.start();
        log.info("watchdog http: listening on {}:{} (/health/live, /health/ready, /metrics, /status)",
                bind, watchdogServer.port());
        return watchdogServer;
    }

    /**
     * Serves {@code path} and everything under it with {@code handler}, on the same port and worker threads (the JDK
     * server picks the longest matching path). For the app's operator routes ({@code /dead-letters}).
     */
    public void addRoute(String path, com.sun.net.httpserver.HttpHandler handler) {
        server.createContext(requireNonNull(path, "path is null"), requireNonNull(handler, "handler is null"));
    }

    /** The bound port (the chosen one when configured as 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Stops listening at once and ends the worker threads. Idempotent. */
    public void stop() {
        if (stopped.compareAndSet(false, true)) {
            server.stop(0);
            executor.shutdownNow();
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

    private static final class DaemonThreads implements java.util.concurrent.ThreadFactory {
        private static final AtomicInteger SERVERS = new AtomicInteger();
        private final int server = SERVERS.incrementAndGet();
        private final AtomicInteger threads = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "watchdog-http-" + server + "-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
