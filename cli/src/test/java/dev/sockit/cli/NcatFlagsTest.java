package dev.sockit.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.testing.RequiredProgram;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** ncat's familiar flags, where they cost nothing: -z, --bind and -p, -4/-6, --send-only, --recv-only, -l. */
class NcatFlagsTest {

    @Test
    void zeroIoSaysWithItsStatusWhetherAPortIsOpen() throws Exception {
        try (ServerSocket open = listener();
             SockitProcess check = SockitProcess.start("client", "tcp://127.0.0.1:" + open.getLocalPort(), "-z")) {
            assertThat(check.exitStatus()).isZero();
            assertThat(check.restOfOut()).isEmpty();
        }
        int closed = RelayCommandTest.freePort();
        try (SockitProcess check = SockitProcess.start("client", "tcp://127.0.0.1:" + closed, "-z", "-v")) {
            assertThat(check.exitStatus()).isEqualTo(1);
            assertThat(check.restOfErr()).singleElement().asString().contains("refused");
        }
    }

    @Test
    void bindAndPChooseTheSourceAddressAndPort() throws Exception {
        int source = RelayCommandTest.freePort();
        try (ServerSocket target = listener();
             SockitProcess client = SockitProcess.start("client", "tcp://127.0.0.1:" + target.getLocalPort(),
                     "--bind", "127.0.0.1:" + source).input("hi\n");
             Socket accepted = target.accept()) {
            assertThat(accepted.getPort()).isEqualTo(source);
        }
        int other = RelayCommandTest.freePort();
        try (ServerSocket target = listener();
             SockitProcess client = SockitProcess.start("client", "tcp://127.0.0.1:" + target.getLocalPort(),
                     "-p", Integer.toString(other)).input("hi\n");
             Socket accepted = target.accept()) {
            assertThat(accepted.getPort()).isEqualTo(other);
        }
    }

    @Test
    void fourAndSixKeepOnlyThatFamilyOfAHostsAddresses() throws Exception {
        boolean localhostHasIpv6 = java.util.Arrays.stream(InetAddress.getAllByName("localhost"))
                .anyMatch(a -> a instanceof java.net.Inet6Address);
        try (ServerSocket target = listener();
             SockitProcess client = SockitProcess.start("client", "tcp://localhost:" + target.getLocalPort(), "-4", "-z")) {
            assertThat(client.exitStatus()).isZero();
        }
        if (!localhostHasIpv6) {
            try (SockitProcess client = SockitProcess.start("client", "tcp://localhost:9", "-6", "-z", "-v")) {
                assertThat(client.exitStatus()).isEqualTo(1);
                assertThat(client.restOfErr()).singleElement().asString().contains("localhost has no IPv6 address");
            }
        }
    }

    @Test
    void sendOnlyPrintsNothingAndEndsWithItsInput() throws Exception {
        try (SockitProcess server = SockitProcess.server("--mode", "echo", "--quiet");
             SockitProcess client = SockitProcess.start("client", server.endpoint(), "--send-only").input("one\ntwo\n")) {
            assertThat(client.exitStatus()).isZero();
            assertThat(client.restOfOut()).isEmpty();
        }
    }

    @Test
    void recvOnlyPrintsWhatArrivesWithoutWaitingForItsInput() throws Exception {
        try (ServerSocket target = listener();
             SockitProcess client = SockitProcess.start("client", "tcp://127.0.0.1:" + target.getLocalPort(), "--recv-only");
             Socket accepted = target.accept()) {
            accepted.getOutputStream().write("banner\n".getBytes(UTF_8));
            accepted.close();
            // Its standard input was never closed: only the peer's close ended it.
            assertThat(client.restOfOut()).containsExactly("banner");
            assertThat(client.exitStatus()).isZero();
        }
    }

    @Test
    void listenModeTakesOnePeerAsNcatDoesAndNcatTalksToIt() throws Exception {
        java.nio.file.Path ncat = RequiredProgram.find("ncat", "ncat");
        int port = RelayCommandTest.freePort();
        try (SockitProcess listener = SockitProcess.start("client", "-l", "-p", Integer.toString(port))) {
            assertThat(listener.awaitErr("sockit: listening on .*")).contains("tcp://127.0.0.1:" + port);
            Process peer = new ProcessBuilder(ncat.toString(), "127.0.0.1", Integer.toString(port)).start();
            try {
                peer.getOutputStream().write("from ncat\n".getBytes(UTF_8));
                peer.getOutputStream().flush();
                assertThat(listener.nextOut()).isEqualTo("from ncat");
                listener.input("from sockit\n");
                BufferedReader fromListener = new BufferedReader(new InputStreamReader(peer.getInputStream(), UTF_8));
                assertThat(fromListener.readLine()).isEqualTo("from sockit");
                peer.getOutputStream().close();
                assertThat(peer.waitFor(10, TimeUnit.SECONDS)).isTrue();
                assertThat(listener.exitStatus()).isZero();
            } finally {
                peer.destroyForcibly();
            }
        }
    }

    @Test
    void aServerTakesDashLAndDashPAsNcatDoes() throws Exception {
        int port = RelayCommandTest.freePort();
        try (SockitProcess server = SockitProcess.start("server", "-l", "-p", Integer.toString(port), "--quiet")) {
            assertThat(server.nextOut()).isEqualTo("Server start at: 127.0.0.1:" + port);
        }
    }

    private static ServerSocket listener() throws java.io.IOException {
        ServerSocket socket = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        socket.setSoTimeout(10_000);
        return socket;
    }
}
