package dev.sockit.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.testing.RequiredProgram;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Server sockets the JDK alone cannot give: a port shared by processes, a socket passed in as systemd passes it. */
class LinuxServerSocketsTest {

    // Passes a listening socket to the command it runs, as systemd does: the socket as
    // descriptor 3, LISTEN_FDS=1, and LISTEN_PID naming the process that gets it. exec keeps
    // the pid, so the launcher's own pid is the command's.
    private static final String LAUNCHER = """
            import os, socket, sys
            kind, path, command = sys.argv[1], sys.argv[2], sys.argv[3:]
            if kind == "tcp":
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.bind(("127.0.0.1", 0))
                name = "127.0.0.1:%d" % s.getsockname()[1]
            else:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.bind(path)
                name = path
            s.listen(16)
            print("passing " + name, flush=True)
            if s.fileno() != 3:
                os.dup2(s.fileno(), 3)
            os.set_inheritable(3, True)
            os.execve(command[0], command, dict(os.environ, LISTEN_FDS="1", LISTEN_PID=str(os.getpid())))
            """;

    @TempDir
    Path dir;

    @Test
    void twoServersWithReusePortShareOnePortAndTheKernelGivesEachConnections() throws Exception {
        try (SockitProcess a = SockitProcess.server("--reuse-port", "--reply", "A", "--quiet");
             SockitProcess b = SockitProcess.serverOn(a.endpoint(), "--reuse-port", "--reply", "B", "--quiet")) {
            assertThat(b.port()).isEqualTo(a.port());
            Set<String> answeredBy = new HashSet<>();
            // The kernel picks a listener by a hash of each connection's addresses: with a new
            // source port each time, 200 connections all landing on one side would take luck
            // of 2^-199.
            for (int i = 0; i < 200 && answeredBy.size() < 2; i++) {
                answeredBy.add(ask(a.port(), "who?"));
            }
            assertThat(answeredBy).containsExactlyInAnyOrder("A", "B");
        }
    }

    @Test
    void withoutReusePortOnTheFirstServerTheSecondIsRefusedAndToldWhy() throws Exception {
        try (SockitProcess a = SockitProcess.server("--quiet");
             SockitProcess b = SockitProcess.start("server", a.endpoint(), "--reuse-port")) {
            assertThat(b.exitStatus()).isEqualTo(1);
            assertThat(b.restOfErr()).singleElement().asString()
                    .startsWith("sockit: cannot listen on " + a.endpoint() + ": address already in use")
                    .contains("every server on the port needs --reuse-port");
        }
    }

    @Test
    void aServerWithoutEndpointServesTheTcpSocketPassedToIt() throws Exception {
        try (SockitProcess server = launched("tcp", "-", "server", "--mode", "echo", "--quiet")) {
            String passed = server.nextOut().substring("passing ".length());
            assertThat(server.nextOut()).isEqualTo("Server start at: " + passed);
            int port = Integer.parseInt(passed.substring(passed.lastIndexOf(':') + 1));
            assertThat(ask(port, "through systemd's socket")).isEqualTo("through systemd's socket");
            assertThat(ask(port, "and again")).isEqualTo("and again");
        }
    }

    @Test
    void aPassedUnixSocketIsServedAndItsFileLeftToWhoeverMadeIt() throws Exception {
        Path socket = dir.resolve("passed.sock");
        try (SockitProcess server = launched("unix", socket.toString(), "server", "--mode", "echo", "--quiet")) {
            assertThat(server.nextOut()).isEqualTo("passing " + socket);
            assertThat(server.nextOut()).isEqualTo("Server start at: " + socket);
            try (SocketChannel peer = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                peer.connect(UnixDomainSocketAddress.of(socket));
                peer.write(ByteBuffer.wrap("over unix\n".getBytes(UTF_8)));
                ByteBuffer reply = ByteBuffer.allocate(64);
                while (reply.position() < "over unix\n".length() && peer.read(reply) >= 0) {
                    // until the whole echo is in
                }
                assertThat(new String(reply.array(), 0, reply.position(), UTF_8)).isEqualTo("over unix\n");
            }
            server.process().toHandle().destroy();
            server.exitStatus();
        }
        assertThat(Files.exists(socket)).as("the socket file is systemd's to remove").isTrue();
    }

    @Test
    void systemdSocketActivateStartsTheServerOnItsSocketAtTheFirstConnection() throws Exception {
        Path activate = RequiredProgram.find("systemd-socket-activate", "systemd");
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort(); // free now; systemd-socket-activate binds it next
        }
        try (SockitProcess server = SockitProcess.startVia(List.of(activate.toString(), "-l", "127.0.0.1:" + port, "--"),
                "server", "--mode", "echo", "--quiet")) {
            server.awaitErr("Listening on .*" + port + ".*");
            // The first connection waits in the socket's backlog while systemd-socket-activate
            // starts the command with the socket; the server then accepts it.
            assertThat(ask(port, "activated")).isEqualTo("activated");
            assertThat(server.nextOut()).isEqualTo("Server start at: 127.0.0.1:" + port);
        }
    }

    private SockitProcess launched(String kind, String path, String... args) throws Exception {
        Path python = RequiredProgram.find("python3", "python3");
        Path launcher = dir.resolve("listen-fds.py");
        Files.writeString(launcher, LAUNCHER);
        return SockitProcess.startVia(List.of(python.toString(), launcher.toString(), kind, path), args);
    }

    private static String ask(int port, String line) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(30_000); // long enough for a JVM started on a loaded machine
            socket.getOutputStream().write((line + "\n").getBytes(UTF_8));
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8)).readLine();
        }
    }
}
