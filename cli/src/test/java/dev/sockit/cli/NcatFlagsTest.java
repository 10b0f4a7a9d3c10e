package dev.sockit.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.Endpoint;
import dev.sockit.testing.RequiredProgram;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** ncat's familiar flags, where they cost nothing: -z, --bind and -p, -4/-6 (client, server, relay), --send-only, --recv-only, -l, -k. */
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

    @Test
    void aServerTakesDashSixAndDashKAsNcatDoesListeningOnIpv6Only() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ipv6Loopback(), "this machine cannot bind ::1");
        int port = RelayCommandTest.freePort();
        try (SockitProcess server = SockitProcess.start("server", "-l", "-k", "-6", "-p", Integer.toString(port), "--quiet")) {
            assertThat(server.nextOut()).isEqualTo("Server start at: [::1]:" + port);
            try (Socket client = new Socket(InetAddress.getByName("::1"), port)) {
                client.setSoTimeout(10_000);
                client.getOutputStream().write("hi\n".getBytes(UTF_8));
                assertThat(new BufferedReader(new InputStreamReader(client.getInputStream(), UTF_8)).readLine())
                        .isEqualTo("server received your message.");
            }
        }
        try (SockitProcess wrong = SockitProcess.start("server", "tcp://127.0.0.1:0", "-6")) {
            assertThat(wrong.exitStatus()).isEqualTo(2);
            assertThat(String.join("\n", wrong.restOfErr())).contains("-6 asks for IPv6").contains("tcp://[::1]:0");
        }
    }

    @Test
    void aClientGivenAnIpv4EndpointWithDashSixRefusesItEvenWhenItIsTheDefaultsText() throws Exception {
        // Only an ENDPOINT left out becomes [::1]:8001 under -6; one given, whatever its text, is kept and refused.
        try (SockitProcess client = SockitProcess.start("client", "-6", Endpoint.DEFAULT, "-z", "-v")) {
            assertThat(client.exitStatus()).isEqualTo(1);
            assertThat(String.join("\n", client.restOfErr())).contains("has no IPv6 address").contains("-6");
        }
        try (SockitProcess listener = SockitProcess.start("client", "-l", "-6", Endpoint.DEFAULT)) {
            assertThat(listener.exitStatus()).isEqualTo(2);
            assertThat(String.join("\n", listener.restOfErr())).contains("-6 asks for IPv6").contains("tcp://[::1]:8001");
        }
    }

    @Test
    void dashSixOnTheIpv6WildcardClosesIpv4ClientsWhichTheDualStackSocketTakes() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ipv6Loopback(), "this machine cannot bind ::1");
        try (SockitProcess server = SockitProcess.start("server", "tcp://[::]:0", "-6")) {
            int port = Integer.parseInt(server.awaitOut("Server start at: .*").replaceAll(".*:", ""));
            try (Socket v4 = new Socket(InetAddress.getByName("127.0.0.1"), port)) {
                v4.setSoTimeout(10_000);
                assertThat(v4.getInputStream().read()).as("closed unanswered").isEqualTo(-1);
            }
            assertThat(server.awaitErr(".*refused.*")).contains("127.0.0.1");
        }
    }

    @Test
    void aRelayTakesDashFourForBothItsSides() throws Exception {
        try (ServerSocket target = listener();
             SockitProcess relay = SockitProcess.start("relay", "-4", "tcp://localhost:0",
                     "tcp://localhost:" + target.getLocalPort())) {
            String start = relay.awaitOut("Relay start at: .*");
            assertThat(start).startsWith("Relay start at: 127.0.0.1:");
            int port = Integer.parseInt(start.replaceAll("Relay start at: 127\\.0\\.0\\.1:(\\d+) .*", "$1"));
            try (Socket client = new Socket(InetAddress.getByName("127.0.0.1"), port); Socket accepted = target.accept()) {
                client.getOutputStream().write("through\n".getBytes(UTF_8));
                assertThat(new BufferedReader(new InputStreamReader(accepted.getInputStream(), UTF_8)).readLine())
                        .isEqualTo("through");
            }
        }
    }

    private static boolean ipv6Loopback() {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new java.net.InetSocketAddress(InetAddress.getByName("::1"), 0));
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static ServerSocket listener() throws java.io.IOException {
        ServerSocket socket = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        socket.setSoTimeout(10_000);
        return socket;
    }
}
