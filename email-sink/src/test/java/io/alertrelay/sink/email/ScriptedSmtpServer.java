package io.alertrelay.sink.email;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A tiny hand-written SMTP server that answers from a script, for the replies GreenMail cannot be made to give (451,
 * 550, 421 greetings, AUTH 454, a server that never greets or hangs up). One connection at a time, on a loopback port
 * picked by the OS. Records every command line it reads (the message body is counted, not kept).
 *
 * <p>A rule matches a command by case-insensitive prefix; the first matching rule wins, then the defaults. A reply of
 * {@link #HANG_UP} closes the connection instead of answering.
 */
final class ScriptedSmtpServer implements AutoCloseable {
    static final String HANG_UP = "<hang up>";

    private final ServerSocket serverSocket;
    private final String greeting;
    private final List<Map.Entry<String, String>> rules;
    private final List<String> commands = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private volatile Socket current;

    private ScriptedSmtpServer(String greeting, List<Map.Entry<String, String>> rules) throws IOException {
        this.serverSocket = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        this.greeting = greeting;
        this.rules = List.copyOf(rules);
        this.thread = new Thread(this::serve, "scripted-smtp-" + serverSocket.getLocalPort());
        this.thread.setDaemon(true);
        this.thread.start();
    }

    static Builder builder() {
        return new Builder();
    }

    int port() {
        return serverSocket.getLocalPort();
    }

    /** Command lines in the order read; {@code AUTH} lines keep only the mechanism. */
    List<String> commands() {
        synchronized (commands) {
            return List.copyOf(commands);
        }
    }

    boolean received(String prefix) {
        return commands().stream().anyMatch(command -> command.toUpperCase(Locale.ROOT)
                .startsWith(prefix.toUpperCase(Locale.ROOT)));
    }

    private void serve() {
        while (!serverSocket.isClosed()) {
            try (Socket socket = serverSocket.accept()) {
                current = socket;
                converse(socket);
            } catch (IOException e) {
                // closed by the test, or the client went away: take the next connection
            }
        }
    }

    private void converse(Socket socket) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        OutputStream out = socket.getOutputStream();
        if (greeting == null) {
            // a server that accepts and never speaks: the client must time out
            while (in.readLine() != null) {
                // swallow
            }
            return;
        }
        if (!reply(out, greeting)) {
            return;
        }
        String line;
        while ((line = in.readLine()) != null) {
            String upper = line.toUpperCase(Locale.ROOT);
            commands.add(upper.startsWith("AUTH ") ? line.split(" ", 3)[0] + " " + line.split(" ", 3)[1] : line);
            String answer = answer(line);
            if (!reply(out, answer)) {
                return;
            }
            if (upper.equals("DATA") && answer.startsWith("354")) {
                int bodyLines = 0;
                String bodyLine;
                while ((bodyLine = in.readLine()) != null && !bodyLine.equals(".")) {
                    bodyLines++;
                }
                commands.add(". (" + bodyLines + " lines)");
                if (!reply(out, answer("."))) {
                    return;
                }
            }
            if (upper.equals("QUIT")) {
                return;
            }
        }
    }

    private String answer(String command) {
        String upper = command.toUpperCase(Locale.ROOT);
        for (Map.Entry<String, String> rule : rules) {
            if (upper.startsWith(rule.getKey().toUpperCase(Locale.ROOT))) {
                return rule.getValue();
            }
        }
        if (upper.startsWith("EHLO")) {
            return "250-scripted.test\r\n250 8BITMIME";
        }
        if (upper.startsWith("HELO") || upper.startsWith("MAIL") || upper.startsWith("RCPT")
                || upper.startsWith("RSET") || upper.startsWith("NOOP")) {
            return "250 2.0.0 OK";
        }
        if (upper.equals("DATA")) {
            return "354 End data with <CR><LF>.<CR><LF>";
        }
        if (upper.equals(".")) {
            return "250 2.0.0 queued";
        }
        if (upper.equals("QUIT")) {
            return "221 2.0.0 bye";
        }
        return "502 5.5.2 command not recognized";
    }

    private static boolean reply(OutputStream out, String text) throws IOException {
        if (text.equals(HANG_UP)) {
            return false;
        }
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return true;
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
        Socket socket = current;
        if (socket != null) {
            socket.close();
        }
    }

    static final class Builder {
        private String greeting = "220 scripted.test ESMTP ready";
        private final List<Map.Entry<String, String>> rules = new ArrayList<>();

        /** The first line the server sends; {@code null}: never send one. */
        Builder greeting(String greeting) {
            this.greeting = greeting;
            return this;
        }

        /** Answer commands starting with {@code commandPrefix} (case-insensitive) with {@code reply}. */
        Builder on(String commandPrefix, String reply) {
            rules.add(Map.entry(commandPrefix, reply));
            return this;
        }

        ScriptedSmtpServer start() throws IOException {
            return new ScriptedSmtpServer(greeting, rules);
        }
    }
}
