package io.alertrelay.watchdog;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpPrincipal;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A {@link com.sun.net.httpserver.HttpHandler}'s view of one Jetty request, so routes written against the JDK's API
 * ({@link WatchdogHttpServer#addRoute}) keep working on Jetty. The request body is already read in full (bounded, without
 * holding a thread while a client is slow); the response is buffered and written when the handler calls {@link #close()}
 * (or returns). Not thread-safe: one handler, one thread.
 */
final class JdkExchange extends HttpExchange {
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final HttpContext context;
    private final Headers requestHeaders = new Headers();
    private final Headers responseHeaders = new Headers();
    private final Map<String, Object> attributes = new HashMap<>();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private InputStream in;
    private OutputStream out = buffer;
    private int code = -1;
    private boolean noBody;
    private boolean completed;

    JdkExchange(Request request, Response response, Callback callback, String contextPath, HttpHandler handler,
                byte[] body) {
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.context = new Context(contextPath, handler);
        this.in = new ByteArrayInputStream(body);
        for (HttpField field : request.getHeaders()) {
            requestHeaders.add(field.getName(), field.getValue());
        }
    }

    @Override
    public Headers getRequestHeaders() {
        return requestHeaders;
    }

    @Override
    public Headers getResponseHeaders() {
        return responseHeaders;
    }

    @Override
    public URI getRequestURI() {
        return URI.create(request.getHttpURI().getPathQuery());
    }

    @Override
    public String getRequestMethod() {
        return request.getMethod();
    }

    @Override
    public HttpContext getHttpContext() {
        return context;
    }

    /** Writes what the handler produced; the exchange is done after the first call. */
    @Override
    public void close() {
        if (completed) {
            return;
        }
        completed = true;
        if (code < 0) {
            code = 500;
        }
        response.setStatus(code);
        for (Map.Entry<String, List<String>> header : responseHeaders.entrySet()) {
            for (String value : header.getValue()) {
                response.getHeaders().add(header.getKey(), value);
            }
        }
        byte[] bytes = noBody || request.getMethod().equals("HEAD") ? new byte[0] : buffer.toByteArray();
        response.getHeaders().put("Content-Length", String.valueOf(bytes.length));
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    @Override
    public InputStream getRequestBody() {
        return in;
    }

    @Override
    public OutputStream getResponseBody() {
        return out;
    }

    /** As the JDK's: {@code length} -1 means no body; the actual length is what the handler writes. */
    @Override
    public void sendResponseHeaders(int rCode, long responseLength) throws IOException {
        if (code >= 0) {
            throw new IOException("headers already sent");
        }
        code = rCode;
        noBody = responseLength == -1;
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return inet(request.getConnectionMetaData().getRemoteSocketAddress());
    }

    @Override
    public int getResponseCode() {
        return code;
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return inet(request.getConnectionMetaData().getLocalSocketAddress());
    }

    @Override
    public String getProtocol() {
        return request.getConnectionMetaData().getProtocol();
    }

    @Override
    public Object getAttribute(String name) {
        return attributes.get(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        attributes.put(name, value);
    }

    @Override
    public void setStreams(InputStream i, OutputStream o) {
        if (i != null) {
            in = i;
        }
        if (o != null) {
            out = o;
        }
    }

    @Override
    public HttpPrincipal getPrincipal() {
        return null;
    }

    boolean completed() {
        return completed;
    }

    private static InetSocketAddress inet(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet : null;
    }

    /** The route a handler was registered under; {@link #getServer()} is null (there is no JDK server). */
    private static final class Context extends HttpContext {
        private final String path;
        private HttpHandler handler;
        private final Map<String, Object> attributes = new HashMap<>();

        Context(String path, HttpHandler handler) {
            this.path = path;
            this.handler = handler;
        }

        @Override
        public HttpHandler getHandler() {
            return handler;
        }

        @Override
        public void setHandler(HttpHandler handler) {
            this.handler = handler;
        }

        @Override
        public String getPath() {
            return path;
        }

        @Override
        public HttpServer getServer() {
            return null;
        }

        @Override
        public Map<String, Object> getAttributes() {
            return attributes;
        }

        @Override
        public List<Filter> getFilters() {
            return List.of();
        }

        @Override
        public com.sun.net.httpserver.Authenticator setAuthenticator(com.sun.net.httpserver.Authenticator auth) {
            throw new UnsupportedOperationException("the relay's token check covers routes (docs/http.md)");
        }

        @Override
        public com.sun.net.httpserver.Authenticator getAuthenticator() {
            return null;
        }
    }
}
