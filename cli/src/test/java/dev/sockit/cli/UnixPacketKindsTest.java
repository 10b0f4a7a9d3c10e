package dev.sockit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.testing.RequiredProgram;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** unix+seqpacket:, unixgram: and unix:@NAME through the command, against peers that are not sockit. */
class UnixPacketKindsTest {

    @TempDir
    Path dir;

    @Test
    void aSeqpacketServerAnswersEachMessageOfAPythonPeerWholeAndApart() throws Exception {
        Path python = RequiredProgram.find("python3", "python3");
        Path socket = dir.resolve("echo.sock");
        try (SockitProcess server = SockitProcess.serverOn("unix+seqpacket:" + socket, "--mode", "echo", "--quiet")) {
            // Two messages sent back to back, one with a newline inside: each comes back alone and whole.
            Process peer = new ProcessBuilder(python.toString(), "-c", """
                    import socket, sys
                    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
                    s.connect(sys.argv[1])
                    s.send(b"one")
                    s.send(b"two\\nlines")
                    print(repr(s.recv(1000)))
                    print(repr(s.recv(1000)))
                    """, socket.toString()).start();
            assertThat(peer.waitFor()).isZero();
            assertThat(new String(peer.getInputStream().readAllBytes()).lines()).containsExactly("b'one'", "b'two\\nlines'");
        }
    }

    @Test
    void aPipedClientSendsEachLineAsOneMessageToASeqpacketServer() throws Exception {
        Path socket = dir.resolve("ack.sock");
        try (SockitProcess server = SockitProcess.serverOn("unix+seqpacket:" + socket, "--quiet");
             SockitProcess client = SockitProcess.start("client", "unix+seqpacket:" + socket).input("a\nb\n")) {
            assertThat(client.restOfOut()).containsExactly("server received your message.", "server received your message.");
            assertThat(client.exitStatus()).isZero();
        }
    }

    @Test
    void aUnixgramServerAnswersAPythonPeerBoundToAPathDatagramByDatagram() throws Exception {
        Path python = RequiredProgram.find("python3", "python3");
        Path socket = dir.resolve("dgram.sock");
        Path peerSocket = dir.resolve("peer.sock");
        try (SockitProcess server = SockitProcess.serverOn("unixgram:" + socket, "--mode", "echo", "--quiet")) {
            Process peer = new ProcessBuilder(python.toString(), "-c", """
                    import socket, sys
                    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                    s.bind(sys.argv[2])
                    s.settimeout(10)
                    s.sendto(b"one", sys.argv[1])
                    s.sendto(b"two\\nlines", sys.argv[1])
                    print(repr(s.recvfrom(1000)))
                    print(repr(s.recvfrom(1000)))
                    """, socket.toString(), peerSocket.toString()).start();
            assertThat(peer.waitFor()).isZero();
            assertThat(new String(peer.getInputStream().readAllBytes()).lines()).containsExactly(
                    "(b'one', '" + socket + "')", "(b'two\\nlines', '" + socket + "')");
        }
    }

    @Test
    void aPipedClientGetsAnAnswerToEachLineFromAUnixgramServer() throws Exception {
        Path socket = dir.resolve("ack.sock");
        try (SockitProcess server = SockitProcess.serverOn("unixgram:" + socket, "--quiet");
             // No end of stream on datagrams: after its input the client waits --close-timeout for late replies.
             SockitProcess client = SockitProcess.start("client", "unixgram:" + socket, "--close-timeout", "500ms")
                     .input("a\nb\n")) {
            assertThat(client.restOfOut()).containsExactly("server received your message.", "server received your message.");
            assertThat(client.exitStatus()).isZero();
        }
    }

    @Test
    void anIdleTimeoutOrAPushQueueOnAPacketEndpointIsRefusedAtStartNotIgnored() throws Exception {
        String name = "sockit-test-" + UUID.randomUUID();
        try (SockitProcess server = SockitProcess.start("server", "unix+seqpacket:@" + name, "--idle-timeout", "30s")) {
            assertThat(server.exitStatus()).isEqualTo(2);
            assertThat(String.join("\n", server.restOfErr())).contains("unix+seqpacket:@" + name)
                    .contains("Leave the heartbeat out");
        }
        try (SockitProcess server = SockitProcess.start("server", "unixgram:@" + name, "--on-slow-reader", "drop")) {
            assertThat(server.exitStatus()).isEqualTo(2);
            assertThat(String.join("\n", server.restOfErr())).contains("are not queued");
        }
    }

    @Test
    void aFramingOnASeqpacketServerIsRefusedAtStartNotIgnored() throws Exception {
        String name = "sockit-test-" + UUID.randomUUID();
        try (SockitProcess server = SockitProcess.start("server", "unix+seqpacket:@" + name, "--framing", "frames")) {
            assertThat(server.exitStatus()).isEqualTo(2);
            assertThat(String.join("\n", server.restOfErr())).contains("unix+seqpacket:@" + name)
                    .contains("each message is kept whole");
        }
    }

    @Test
    void socatTalksToAServerOnAnAbstractName() throws Exception {
        Path socat = RequiredProgram.find("socat", "socat");
        String name = "sockit-test-" + UUID.randomUUID();
        try (SockitProcess server = SockitProcess.serverOn("unix:@" + name, "--mode", "echo", "--quiet")) {
            Process peer = new ProcessBuilder(socat.toString(), "-t", "5", "-", "ABSTRACT-CONNECT:" + name).start();
            peer.getOutputStream().write("hello, abstract\n".getBytes());
            peer.getOutputStream().close();
            assertThat(new String(peer.getInputStream().readAllBytes())).isEqualTo("hello, abstract\n");
            assertThat(peer.waitFor()).isZero();
            assertThat(dir.resolve("@" + name)).doesNotExist();
        }
    }

    @Test
    void socatOverSeqpacketGetsItsMessageBackWholeNewlinesAndAll() throws Exception {
        Path socat = RequiredProgram.find("socat", "socat");
        Path socket = dir.resolve("socat.sock");
        try (SockitProcess server = SockitProcess.serverOn("unix+seqpacket:" + socket, "--mode", "echo", "--quiet")) {
            Process peer = new ProcessBuilder(socat.toString(), "-t", "5", "-", "UNIX-CONNECT:" + socket + ",type=5").start();
            peer.getOutputStream().write("one\ntwo\n".getBytes()); // one write, one message: echoed as it is
            peer.getOutputStream().close();
            assertThat(new String(peer.getInputStream().readAllBytes())).isEqualTo("one\ntwo\n");
            assertThat(peer.waitFor()).isZero();
        }
    }

    @Test
    void aClientAtAnAbstractNameNobodyHoldsIsToldSoAndExitsOne() throws Exception {
        try (SockitProcess client = SockitProcess.start("client", "unix:@sockit-test-nobody").input("x\n")) {
            assertThat(client.exitStatus()).isEqualTo(1);
            assertThat(client.restOfErr()).singleElement().asString()
                    .startsWith("sockit: cannot connect to unix:@sockit-test-nobody: nothing listens on the abstract name");
        }
    }
}
