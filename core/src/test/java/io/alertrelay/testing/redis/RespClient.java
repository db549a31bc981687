package io.alertrelay.testing.redis;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A tiny blocking RESP2 client over a plain socket, for test fixtures and assertions (PING, ROLE, INFO, CLIENT LIST,
 * SENTINEL ..., PUBLISH). Not thread-safe; one command at a time. JDK only.
 *
 * <p>Replies are returned as {@link String} (simple and bulk strings), {@link Long} (integers), {@link List} (arrays,
 * elements of these types) or {@code null} (nil). An error reply throws {@link RespError}.
 */
public final class RespClient implements Closeable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RespClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects to {@code host:port}; {@code timeout} bounds the connect and every later read. */
    public static RespClient connect(String host, int port, Duration timeout) {
        Socket socket = new Socket();
        try {
            socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
            socket.connect(new InetSocketAddress(host, port), Math.toIntExact(timeout.toMillis()));
            return new RespClient(socket);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new UncheckedIOException("cannot connect to " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** Sends one command and returns its reply (see the class comment for the types). */
    public Object call(String... args) {
        try {
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            for (String arg : args) {
                byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
                request.write(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                request.write(bytes);
                request.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write(request.toByteArray());
            out.flush();
            return read();
        } catch (IOException e) {
            throw new UncheckedIOException(String.join(" ", args) + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the next reply or push without sending anything: for a connection in subscribed mode (after
     * {@code SUBSCRIBE}), where the server sends messages on its own. A read timeout throws like {@link #call}; the
     * connection should then be closed.
     */
    public Object receive() {
        try {
            return read();
        } catch (IOException e) {
            throw new UncheckedIOException("receive failed: " + e.getMessage(), e);
        }
    }

    /** {@link #call} with the reply rendered by {@link #toText}. */
    public String command(String... args) {
        return toText(call(args));
    }

    /**
     * Renders a reply as text: strings as they are, integers in decimal, nil as the empty string, arrays as their
     * elements' text joined by newlines (nested arrays flattened).
     */
    public static String toText(Object reply) {
        if (reply == null) {
            return "";
        }
        if (reply instanceof List<?> list) {
            return list.stream().map(RespClient::toText).collect(Collectors.joining("\n"));
        }
        return reply.toString();
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private Object read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("connection closed by server");
        }
        String line = readLine();
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new RespError(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] bytes = in.readNBytes(length);
                if (bytes.length < length) {
                    throw new EOFException("connection closed in a bulk string");
                }
                readLine();
                return new String(bytes, StandardCharsets.UTF_8);
            }
            case '*': {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    return null;
                }
                List<Object> elements = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    try {
                        elements.add(read());
                    } catch (RespError e) {
                        elements.add(e);
                    }
                }
                return elements;
            }
            default:
                throw new IOException("unexpected RESP type byte '" + (char) type + "'");
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed in a reply line");
            }
            if (previous == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(b);
            previous = b;
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    /** An error reply ({@code -ERR ...}) from the server. */
    public static final class RespError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public RespError(String message) {
            super(message);
        }
    }
}
