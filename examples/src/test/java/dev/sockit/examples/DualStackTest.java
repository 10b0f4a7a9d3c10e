package dev.sockit.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

/** AF_INET6 and dual stack: one IPv6 socket, IPv6 and IPv4 clients. */
class DualStackTest {

    @Test
    void oneIpv6SocketServesAnIpv6ClientAndAnIpv4ClientEachAtItsOwnAddress() throws Exception {
        assumeTrue(hasIpv6Loopback(), "this machine has no IPv6 loopback (::1): the dual-stack example cannot run");

        List<String> lines = ExampleProgram.run("dual-stack");

        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).matches("server: listening on tcp://\\[::]:\\d+");
        String port = lines.get(0).substring(lines.get(0).lastIndexOf(':') + 1);
        assertThat(lines.get(1)).matches("client to tcp://\\[::1]:" + port + ": you are \\[::1]:\\d+, I am \\[::1]:" + port);
        assertThat(lines.get(2)).matches("client to tcp://127\\.0\\.0\\.1:" + port
                + ": you are 127\\.0\\.0\\.1:\\d+, I am 127\\.0\\.0\\.1:" + port);
    }

    private static boolean hasIpv6Loopback() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
