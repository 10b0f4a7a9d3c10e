package dev.sockit.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.testing.RequiredProgram;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/tools.md's rows where sockit and ncat or socat do the same job, each run against the
 * real tool: the same answer from both, or one talking to the other.
 */
class InteropTest {

    @TempDir
    Path dir;

    @Test
    void ncatDashZAndSockitDashZAgreeWhetherAPortIsOpen() throws Exception {
        Path ncat = RequiredProgram.find("ncat", "ncat");
        try (ServerSocket open = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            String port = Integer.toString(open.getLocalPort());
            assertThat(run(ncat.toString(), "-z", "127.0.0.1", port)).as("ncat -z, open").isZero();
            try (SockitProcess sockit = SockitProcess.start("client", "tcp://127.0.0.1:" + port, "-z")) {
                assertThat(sockit.exitStatus()).as("sockit -z, open").isZero();
            }
        }
        String closed = Integer.toString(RelayCommandTest.freePort());
        assertThat(run(ncat.toString(), "-z", "127.0.0.1", closed)).as("ncat -z, closed").isEqualTo(1);
        try (SockitProcess sockit = SockitProcess.start("client", "tcp://127.0.0.1:" + closed, "-z")) {
            assertThat(sockit.exitStatus()).as("sockit -z, closed").isEqualTo(1);
        }
    }

    @Test
    void socatGetsTheSameAnswerFromSockitExecAsFromNcatDashE() throws Exception {
        Path ncat = RequiredProgram.find("ncat", "ncat");
        Path socat = RequiredProgram.find("socat", "socat");
        String program = "/bin/sed -u y/abcdefghijklmnopqrstuvwxyz/ABCDEFGHIJKLMNOPQRSTUVWXYZ/";
        int ncatPort = RelayCommandTest.freePort();
        Process byNcat = new ProcessBuilder(ncat.toString(), "-l", "127.0.0.1", Integer.toString(ncatPort), "-k", "-e",
                program).redirectError(dir.resolve("ncat.err").toFile()).start();
        try (AutoCloseable stop = () -> RelayCommandTest.stop(byNcat);
             SockitProcess bySockit = SockitProcess.server("--exec", program, "--quiet")) {
            RelayCommandTest.awaitPort(ncatPort, byNcat);
            // shut-none: socat keeps its side open after its input, as ncat -e ends the
            // connection at a client's half-close, where sockit closes only the program's input.
            String fromNcat = socat(socat, "TCP:127.0.0.1:" + ncatPort + ",shut-none", "Hello, exec\n");
            String fromSockit = socat(socat, "TCP:127.0.0.1:" + bySockit.port() + ",shut-none", "Hello, exec\n");
            assertThat(fromNcat).isEqualTo("HELLO, EXEC\n");
            assertThat(fromSockit).isEqualTo(fromNcat);
        }
    }

    @Test
    void ncatDashSixTalksToASockitServerDashSix() throws Exception {
        Path ncat = RequiredProgram.find("ncat", "ncat");
        org.junit.jupiter.api.Assumptions.assumeTrue(hasIpv6Loopback(), "this machine cannot bind ::1");
        int port = RelayCommandTest.freePort();
        try (SockitProcess server = SockitProcess.start("server", "-6", "-l", "-k", "-p", Integer.toString(port),
                "--reply", "hello over IPv6")) {
            server.awaitOut("Server start at: \\[::1\\]:" + port);
            Process client = new ProcessBuilder(ncat.toString(), "-6", "::1", Integer.toString(port)).start();
            client.getOutputStream().write("hi\n".getBytes(UTF_8));
            client.getOutputStream().close();
            assertThat(new String(client.getInputStream().readAllBytes(), UTF_8)).isEqualTo("hello over IPv6\n");
            assertThat(client.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void socatThroughAUnixRelayReachesATcpServer() throws Exception {
        Path socat = RequiredProgram.find("socat", "socat");
        Path socket = dir.resolve("front.sock");
        try (SockitProcess server = SockitProcess.server("--mode", "echo", "--quiet");
             SockitProcess relay = SockitProcess.start("relay", "unix:" + socket, server.endpoint())) {
            relay.awaitOut("Relay start at: .*");
            assertThat(socat(socat, "UNIX-CONNECT:" + socket, "through a unix socket\n"))
                    .isEqualTo("through a unix socket\n");
        }
    }

    /** What socat, talking to {@code address}, prints for {@code input} (half-closed after it). */
    private String socat(Path socat, String address, String input) throws Exception {
        Process process = new ProcessBuilder(socat.toString(), "-t", "2", "-", address)
                .redirectError(dir.resolve("socat.err").toFile()).start();
        process.getOutputStream().write(input.getBytes(UTF_8));
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("socat finished").isTrue();
        return output;
    }

    private static int run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return process.exitValue();
    }

    private static boolean hasIpv6Loopback() {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new java.net.InetSocketAddress(InetAddress.getByName("::1"), 0));
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
