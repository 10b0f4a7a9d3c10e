package dev.sockit.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every socket kind through the command: UDP, Unix domain sockets, IPv6. */
class SocketKindsTest {

    private static final String ACK = "server received your message.";

    @TempDir
    Path dir;

    @Test
    void aUdpServerAcksEachDatagramAndAPipedUdpClientPrintsEachReply() throws Exception {
        try (SockitProcess server = SockitProcess.serverOn("udp://127.0.0.1:0", "--quiet");
             SockitProcess client = SockitProcess.start("client", "udp://127.0.0.1:" + server.port()).input("one\ntwo\n")) {
            assertThat(client.restOfOut()).containsExactly(ACK, ACK);
            assertThat(client.exitStatus()).isZero();
        }
    }

    @Test
    void aPlainDatagramPeerIsAnsweredWithOneDatagram() throws Exception {
        try (SockitProcess server = SockitProcess.serverOn("udp://127.0.0.1:0", "--mode", "echo", "--quiet");
             DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            peer.setSoTimeout(10_000);
            byte[] hello = "hello".getBytes(UTF_8);
            peer.send(new DatagramPacket(hello, hello.length, InetAddress.getLoopbackAddress(), server.port()));
            DatagramPacket reply = new DatagramPacket(new byte[100], 100);
            peer.receive(reply);
            assertThat(new String(reply.getData(), 0, reply.getLength(), UTF_8)).isEqualTo("hello");
        }
    }

    @Test
    void aUdpClientSaysPlainlyWhenNoReplyCameAndExitsOne() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             SockitProcess client = SockitProcess.start("client", "udp://127.0.0.1:" + silent.getLocalPort(),
                     "--timeout", "200ms", "--retries", "1").input("anyone?\n")) {
            assertThat(client.exitStatus()).isEqualTo(1);
            assertThat(client.restOfErr()).anySatisfy(line -> assertThat(line).contains("no reply from udp://127.0.0.1:"
                    + silent.getLocalPort()).contains("2 attempts"));
            assertThat(client.restOfOut()).isEmpty();
        }
    }

    @Test
    void linesFramingAskedForOnUdpIsRefusedWithAReason() throws Exception {
        try (SockitProcess server = SockitProcess.start("server", "udp://127.0.0.1:0", "--framing", "lines")) {
            assertThat(server.exitStatus()).isEqualTo(2);
            assertThat(server.restOfErr()).singleElement().asString().startsWith("sockit: ").contains("udp");
        }
    }

    @Test
    void anIdleTimeoutOnAUdpServerIsRefusedAtStartNotIgnored() throws Exception {
        try (SockitProcess server = SockitProcess.start("server", "udp://127.0.0.1:0", "--idle-timeout", "1s")) {
            assertThat(server.exitStatus()).isEqualTo(2);
            assertThat(String.join("\n", server.restOfErr())).startsWith("sockit: ").contains("udp://127.0.0.1:0")
                    .contains("--session-timeout").contains("Leave the heartbeat out");
        }
    }

    @Test
    void aUnixServerMakesAPrivateSocketFileServesAClientAndRemovesTheFileOnStop() throws Exception {
        Path socket = dir.resolve("echo.sock");
        try (SockitProcess server = SockitProcess.serverOn("unix:" + socket, "--mode", "echo")) {
            assertThat(Files.getPosixFilePermissions(socket)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            try (SockitProcess client = SockitProcess.start("client", "unix:" + socket, "--verbose").input("over unix\n")) {
                assertThat(client.restOfOut()).containsExactly("over unix");
                assertThat(client.restOfErr()).containsExactly("sockit: connected: unix, local unix:(unnamed), remote unix:" + socket);
            }
            server.process().toHandle().destroy();
            assertThat(server.exitStatus()).isNotZero(); // 143: stopped by SIGTERM, gracefully
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void anIpv6ServerPrintsThePeerInTheShortFormWithTheFiveFactsWhenVerbose() throws Exception {
        try (SockitProcess server = SockitProcess.serverOn("tcp://[::1]:0", "--verbose");
             SockitProcess client = SockitProcess.start("client", "tcp://[::1]:" + server.port()).input("v6\n")) {
            assertThat(client.restOfOut()).containsExactly(ACK);
            assertThat(server.nextOut()).isEqualTo("wait for connection...");
            assertThat(server.nextOut()).matches("Connected by \\[::1\\]:\\d+ \\(tcp, local \\[::1\\]:" + server.port()
                    + ", remote \\[::1\\]:\\d+\\)");
        }
    }
}
