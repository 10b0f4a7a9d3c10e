package dev.sockit.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** The sockit command as a user runs it: separate server and client processes on loopback. */
class EndToEndTest {

    private static final String ACK = "server received your message.";

    @Test
    void aPipedClientGetsOneReplyPerLineOnStdoutAndExitsZero() throws Exception {
        try (SockitProcess server = SockitProcess.server();
             SockitProcess client = SockitProcess.start("client", server.endpoint()).input("one\ntwo\r\nthree\n")) {
            assertThat(client.restOfOut()).containsExactly(ACK, ACK, ACK);
            assertThat(client.exitStatus()).isZero();
            assertThat(client.restOfErr()).isEmpty();
        }
    }

    @Test
    void theServerPrintsWhoConnectedEachMessageAndWhoLeft() throws Exception {
        try (SockitProcess server = SockitProcess.server();
             SockitProcess client = SockitProcess.start("client", server.endpoint()).input("hello\nworld\n")) {
            assertThat(client.exitStatus()).isZero();
            assertThat(server.nextOut()).isEqualTo("wait for connection...");
            assertThat(server.nextOut()).matches("Connected by 127\\.0\\.0\\.1:\\d+");
            assertThat(server.nextOut()).isEqualTo("hello");
            assertThat(server.nextOut()).isEqualTo("world");
            assertThat(server.nextOut()).matches("Disconnected 127\\.0\\.0\\.1:\\d+ \\(2 messages, \\d+\\.\\d s\\)");
        }
    }

    @Test
    void echoModeSendsEachLineBack() throws Exception {
        try (SockitProcess server = SockitProcess.server("--mode", "echo", "--quiet");
             SockitProcess client = SockitProcess.start("client", server.endpoint()).input("héllo wörld\n\nlast")) {
            assertThat(client.restOfOut()).containsExactly("héllo wörld", "", "last");
            assertThat(client.exitStatus()).isZero();
        }
    }

    @Test
    void aPlainSocketPeerIsServedLikeNetcatWouldBe() throws Exception {
        try (SockitProcess server = SockitProcess.server("--reply", "OK");
             Socket peer = new Socket()) {
            peer.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            peer.setSoTimeout(10_000);
            OutputStream out = peer.getOutputStream();
            out.write("a\nb\n".getBytes(UTF_8));
            peer.shutdownOutput();
            InputStream in = peer.getInputStream();
            assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo("OK\nOK\n");
        }
    }

    @Test
    void anOverLongLineIsRefusedWithOneErrorLineAndTheServerKeepsServing() throws Exception {
        try (SockitProcess server = SockitProcess.server("--max-line", "100", "--quiet")) {
            try (SockitProcess client = SockitProcess.start("client", server.endpoint(), "--max-line", "1000")
                    .input("x".repeat(101) + "\n")) {
                assertThat(client.restOfOut()).containsExactly("error: line longer than 100 bytes");
            }
            assertThat(server.nextErr()).matches("sockit: line longer than 100 bytes from 127\\.0\\.0\\.1:\\d+; "
                    + "connection closed \\(raise it with --max-line, now 100\\)");
            try (SockitProcess next = SockitProcess.start("client", server.endpoint()).input("fine\n")) {
                assertThat(next.restOfOut()).containsExactly(ACK);
            }
        }
    }

    @Test
    void aRefusedConnectionIsOneLineAndExitStatusOne() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        try (SockitProcess client = SockitProcess.start("client", "tcp://127.0.0.1:" + closedPort).input("")) {
            assertThat(client.exitStatus()).isEqualTo(1);
            assertThat(client.restOfErr()).containsExactly("sockit: cannot connect to tcp://127.0.0.1:" + closedPort
                    + ": connection refused — is a server running? (sockit server tcp://127.0.0.1:" + closedPort + ")");
            assertThat(client.restOfOut()).isEmpty();
        }
    }

    @Test
    void aPortInUseIsOneLineNamingTheEndpoint() throws Exception {
        try (SockitProcess first = SockitProcess.server();
             SockitProcess second = SockitProcess.start("server", first.endpoint())) {
            assertThat(second.exitStatus()).isEqualTo(1);
            assertThat(second.restOfErr()).singleElement().asString()
                    .startsWith("sockit: cannot listen on " + first.endpoint() + ": address already in use");
        }
    }

    @Test
    void sigtermStopsTheServerGracefullyAndSaysSo() throws Exception {
        try (SockitProcess server = SockitProcess.server();
             Socket peer = new Socket("127.0.0.1", server.port())) {
            peer.setSoTimeout(10_000);
            peer.getOutputStream().write("before stop\n".getBytes(UTF_8));
            InputStream in = peer.getInputStream();
            byte[] reply = new byte[ACK.length() + 1];
            assertThat(in.readNBytes(reply, 0, reply.length)).isEqualTo(reply.length);

            // SIGTERM through the handle: Process.destroy() would also close our end of its pipes.
            server.process().toHandle().destroy();

            assertThat(in.read()).as("the server closes our connection").isEqualTo(-1);
            assertThat(server.restOfErr()).anySatisfy(line -> assertThat(line).startsWith("sockit: stopping"));
            assertThat(server.restOfOut()).contains("Server stopped.");
        }
    }

    @Test
    void hundredsOfConcurrentPeersAreAllAnswered() throws Exception {
        int peers = 300;
        try (SockitProcess server = SockitProcess.server("--quiet")) {
            Socket[] sockets = new Socket[peers];
            try {
                for (int i = 0; i < peers; i++) {
                    sockets[i] = new Socket("127.0.0.1", server.port());
                    sockets[i].setSoTimeout(20_000);
                }
                for (Socket s : sockets) {
                    s.getOutputStream().write("hi\n".getBytes(UTF_8));
                }
                for (Socket s : sockets) {
                    byte[] reply = s.getInputStream().readNBytes(ACK.length() + 1);
                    assertThat(new String(reply, UTF_8)).isEqualTo(ACK + "\n");
                }
            } finally {
                for (Socket s : sockets) {
                    if (s != null) {
                        s.close();
                    }
                }
            }
        }
    }
}
