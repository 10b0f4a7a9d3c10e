package dev.sockit.testing;

import dev.sockit.TestKit;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy (Debian package haproxy) for a test, in TCP mode on a free loopback port,
 * balancing round robin over the servers it is given, each sent a PROXY header as
 * {@code serverOptions} say; it runs in the foreground and is stopped by its process id.
 * Its configuration and log are left in the test's folder.
 *
 * <pre>{@code
 * try (Haproxy haproxy = Haproxy.start(dir, "send-proxy-v2 check inter 100ms", nodeOne, nodeTwo)) {
 *     Peer.connectFrom("127.0.0.5", haproxy.port());
 * }
 * }</pre>
 */
public final class Haproxy implements AutoCloseable {

    private final Process process;
    private final int port;

    private Haproxy(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts one in front of the loopback servers on {@code serverPorts}, and waits until it
     * accepts connections; skips the test locally (fails it under CI) when haproxy is missing.
     */
    public static Haproxy start(Path dir, String serverOptions, int... serverPorts) throws IOException {
        Path program = RequiredProgram.find("haproxy", "haproxy");
        int front;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            front = probe.getLocalPort();
        }
        List<String> config = new ArrayList<>(List.of(
                "global",
                "    maxconn 100",
                "defaults",
                "    mode tcp",
                "    timeout connect 5s",
                "    timeout client 30s",
                "    timeout server 30s",
                "frontend in",
                "    bind 127.0.0.1:" + front,
                "    default_backend sockit",
                "backend sockit",
                // In turn: the first connection goes to the first server, the next to the second.
                "    balance roundrobin"));
        for (int i = 0; i < serverPorts.length; i++) {
            config.add("    server s" + (i + 1) + " 127.0.0.1:" + serverPorts[i] + " " + serverOptions);
        }
        config.add("");
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, String.join("\n", config));
        Process process = new ProcessBuilder(program.toString(), "-db", "-f", file.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("haproxy.log").toFile()).start();
        Haproxy haproxy = new Haproxy(process, front);
        try {
            TestKit.awaitUntil("haproxy listens on 127.0.0.1:" + front + " (its log: " + dir.resolve("haproxy.log") + ")",
                    () -> process.isAlive() && TestKit.listening(front));
        } catch (RuntimeException | Error notStarted) {
            haproxy.close();
            throw notStarted;
        }
        return haproxy;
    }

    /** The port its clients connect to, on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** SIGTERM to its process id, SIGKILL if it has not ended within 5 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
