package dev.sockit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code sockit ping}, run as a user runs it: ping's lines on stdout, nothing on stderr, ping's exit status. */
class PingCommandTest {

    @Test
    void pingingTheIpv4LoopbackPrintsEachReplyAndTheStatisticsAndExitsZero() throws Exception {
        try (SockitProcess ping = SockitProcess.start("ping", "127.0.0.1", "-c", "3", "-i", "0.05")) {
            List<String> out = ping.restOfOut();
            List<String> err = ping.restOfErr();
            skipIfTheKernelRefuses(err);
            assertThat(out).hasSize(8);
            assertThat(out.get(0)).isEqualTo("PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.");
            for (int i = 1; i <= 3; i++) {
                assertThat(out.get(i)).matches("64 bytes from 127\\.0\\.0\\.1: icmp_seq=" + i + " ttl=\\d+ time=[0-9.]+ ms");
            }
            assertThat(out.get(4)).isEmpty();
            assertThat(out.get(5)).isEqualTo("--- 127.0.0.1 ping statistics ---");
            assertThat(out.get(6)).matches("3 packets transmitted, 3 received, 0% packet loss, time \\d+ms");
            assertThat(out.get(7)).matches("rtt min/avg/max/mdev = [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms");
            assertThat(ping.exitStatus()).isZero();
            assertThat(err).as("no native-access warning, nothing else").isEmpty();
        }
    }

    @Test
    void pingingTheIpv6LoopbackPrintsItInItsShortForm() throws Exception {
        assumeTrue(hasIpv6Loopback(), "this machine has no IPv6 loopback (::1): nothing to ping over IPv6");
        try (SockitProcess ping = SockitProcess.start("ping", "::1", "-c", "2", "-i", "0.05", "-s", "16")) {
            List<String> out = ping.restOfOut();
            skipIfTheKernelRefuses(ping.restOfErr());
            assertThat(out.getFirst()).isEqualTo("PING ::1 (::1) 16 data bytes");
            assertThat(out.get(1)).matches("24 bytes from ::1: icmp_seq=1 ttl=\\d+ time=[0-9.]+ ms");
            assertThat(out.getLast()).matches("rtt min/avg/max/mdev = [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms");
            assertThat(ping.exitStatus()).isZero();
        }
    }

    @Test
    void withoutAReplyThePingSaysAllWasLostAndExitsOne() throws Exception {
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): nothing there answers. Where there is no route,
        // the send fails instead; either way no reply came, and the status says so.
        try (SockitProcess ping = SockitProcess.start("ping", "192.0.2.1", "-c", "1", "-W", "300ms")) {
            List<String> out = ping.restOfOut();
            List<String> err = ping.restOfErr();
            skipIfTheKernelRefuses(err);
            assumeTrue(out.stream().noneMatch(line -> line.startsWith("64 bytes from")),
                    "this network answers 192.0.2.1 (some sandboxes answer every ping): no address is known to stay silent");
            assertThat(ping.exitStatus()).isEqualTo(1);
            if (err.isEmpty()) {
                assertThat(out).contains("1 packets transmitted, 0 received, 100% packet loss, time " + timeOf(out) + "ms");
                assertThat(out).noneMatch(line -> line.startsWith("rtt"));
            } else {
                assertThat(err).singleElement().asString().startsWith("sockit: cannot send an echo request to 192.0.2.1");
            }
        }
    }

    @Test
    void anIntervalBelowTheLeastIsRefusedWithTheLimit() throws Exception {
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine commandLine = Sockit.commandLine();
        commandLine.setErr(new java.io.PrintWriter(err, true));
        assertThat(commandLine.execute("ping", "127.0.0.1", "-i", "1ms")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("sockit: -i 1ms is too short; the least is 2ms" + System.lineSeparator());
    }

    @Test
    void roundTripsArePrintedWithThreeSignificantDigitsAsPingDoes() {
        assertThat(PingCommand.millis(Duration.ofNanos(45_300))).isEqualTo("0.045");
        assertThat(PingCommand.millis(Duration.ofNanos(1_234_000))).isEqualTo("1.23");
        assertThat(PingCommand.millis(Duration.ofNanos(12_340_000))).isEqualTo("12.3");
        assertThat(PingCommand.millis(Duration.ofNanos(123_400_000))).isEqualTo("123");
    }

    private static String timeOf(List<String> out) {
        return out.stream().filter(line -> line.contains("packets transmitted")).findFirst()
                .map(line -> line.replaceAll(".*time (\\d+)ms", "$1")).orElse("?");
    }

    private static void skipIfTheKernelRefuses(List<String> err) {
        boolean refused = err.stream().anyMatch(line -> line.contains("ping_group_range"));
        if (refused && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("under CI the kernel must allow ping: " + err);
        }
        assumeTrue(!refused, () -> String.join("\n", err));
    }

    private static boolean hasIpv6Loopback() {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
