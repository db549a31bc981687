package io.alertrelay.it.failover.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces and iptables for the partition fault. Rules are only ever added inside a private network
 * namespace ({@code unshare -n}), never in the machine's own.
 */
public final class Netns {
    private Netns() {}

    /** System property: the network namespace ({@code /proc/self/ns/net} link) of the process that made ours. */
    public static final String PARENT_NAMESPACE = "alertrelay.parent.netns";

    /**
     * True when this process runs in a network namespace of its own: one other than pid 1's when that can be read,
     * else other than {@link #PARENT_NAMESPACE} when given, else one whose only interface is {@code lo} in
     * {@code /proc/self/net/dev} (what {@code unshare -n} makes).
     */
    public static boolean inPrivateNamespace() {
        Optional<String> self = link("/proc/self/ns/net");
        if (self.isEmpty()) {
            return false;
        }
        Optional<String> init = link("/proc/1/ns/net");
        if (init.isPresent()) {
            return !init.get().equals(self.get());
        }
        String parent = System.getProperty(PARENT_NAMESPACE);
        if (parent != null) {
            return !parent.equals(self.get());
        }
        // /proc/self/net/dev lists the interfaces of this process's namespace (/sys/class/net may be the host's)
        try {
            List<String> interfaces = Files.readAllLines(Path.of("/proc/self/net/dev")).stream()
                    .filter(line -> line.contains(":")).map(line -> line.substring(0, line.indexOf(':')).strip())
                    .toList();
            return interfaces.equals(List.of("lo"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** This process's network namespace, e.g. {@code net:[4026531833]}. */
    public static Optional<String> currentNamespace() {
        return link("/proc/self/ns/net");
    }

    private static Optional<String> link(String path) {
        try {
            return Optional.of(Files.readSymbolicLink(Path.of(path)).toString());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }

    /**
     * Why a private namespace with iptables cannot be made here, or empty when it can: root, {@code unshare}, {@code ip}
     * and {@code iptables} present, and {@code unshare -n} + {@code iptables -L} working.
     */
    public static Optional<String> whyNoPartition() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("needs root to create a network namespace (unshare -n); running as "
                    + System.getProperty("user.name"));
        }
        for (String tool : List.of("unshare", "ip", "iptables")) {
            if (which(tool).isEmpty()) {
                return Optional.of("'" + tool + "' is not installed (Debian: apt-get install "
                        + (tool.equals("ip") ? "iproute2" : tool.equals("unshare") ? "util-linux" : "iptables") + ")");
            }
        }
        Result probe = run(List.of(tool("unshare"), "-n", "sh", "-c",
                tool("ip") + " link set lo up && " + tool("iptables") + " -w -L INPUT -n"));
        if (probe.status != 0) {
            return Optional.of("'unshare -n' + iptables do not work here (status " + probe.status + "): "
                    + probe.output.strip());
        }
        return Optional.empty();
    }

    /** Drops every TCP packet to and from {@code port} (both directions, no reset): a silent partition. */
    public static void partition(int port) {
        requirePrivate();
        for (String direction : List.of("--dport", "--sport")) {
            check(run(List.of(tool("iptables"), "-w", "-I", "INPUT", "-p", "tcp", direction, String.valueOf(port), "-j",
                    "DROP")));
        }
    }

    /** Removes the rules of {@link #partition}. */
    public static void heal(int port) {
        requirePrivate();
        for (String direction : List.of("--dport", "--sport")) {
            check(run(List.of(tool("iptables"), "-w", "-D", "INPUT", "-p", "tcp", direction, String.valueOf(port), "-j",
                    "DROP")));
        }
    }

    private static void requirePrivate() {
        if (!inPrivateNamespace()) {
            throw new IllegalStateException("refusing to touch iptables outside a private network namespace");
        }
    }

    private static void check(Result result) {
        if (result.status != 0) {
            throw new IllegalStateException("iptables failed (" + result.status + "): " + result.output);
        }
    }

    private static String tool(String name) {
        return which(name).map(Path::toString).orElse(name);
    }

    static Optional<Path> which(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        for (String dir : List.of("/usr/sbin", "/sbin")) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    record Result(int status, String output) {}

    static Result run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "timed out: " + output);
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
