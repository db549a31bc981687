package io.alertrelay.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback TCP server that plays a broken peer for a sink, and counts the connections it accepts.
 *
 * <p>{@link #connectionsSoFar()} is exact without sleeping: it opens a probe connection of its own and waits until the
 * server has accepted it. The kernel queues connections in the order they were made, so every connection the code under
 * test completed before the call has been accepted (and counted) by then.
 */
public final class TcpTarget implements AutoCloseable {
    /** What the server does with a connection it accepts. */
    public enum Behaviour {
        /** Keep it open and never answer (a hung server): the client runs into its timeout. */
        HOLD,
        /** Close it at once, before reading anything (a server that drops the connection). */
        CLOSE
    }

    private final Behaviour behaviour;
    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Integer> acceptedPorts = new ArrayList<>(); // remote ports, in accept order
    private final List<Integer> probePorts = new ArrayList<>();
    private final List<Socket> held = new ArrayList<>();
    private volatile boolean closed;

    private TcpTarget(Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        this.server = new ServerSocket();
        this.server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        this.acceptor = new Thread(this::acceptLoop, "tcp-target-" + server.getLocalPort());
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    public static TcpTarget start(Behaviour behaviour) {
        try {
            return new TcpTarget(behaviour);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A loopback port nothing listens on (bound, then released): connecting to it is refused. */
    public static int refusingPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String host() {
        return server.getInetAddress().getHostAddress();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far from anyone but this class's own probes. */
    public int connectionsSoFar() {
        int probePort;
        try (Socket probe = new Socket(server.getInetAddress(), server.getLocalPort())) {
            probePort = probe.getLocalPort();
            synchronized (this) {
                probePorts.add(probePort);
                while (!acceptedPorts.contains(probePort)) {
                    if (closed) {
                        throw new IllegalStateException("target closed");
                    }
                    wait();
                }
                return (int) acceptedPorts.stream().filter(port -> !probePorts.contains(port)).count();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            synchronized (this) {
                acceptedPorts.add(socket.getPort());
                notifyAll();
                if (behaviour == Behaviour.HOLD && !probePorts.contains(socket.getPort())) {
                    held.add(socket);
                    continue;
                }
            }
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // nothing to do
        }
        synchronized (this) {
            notifyAll();
            for (Socket socket : held) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // nothing to do
                }
            }
            held.clear();
        }
    }
}
