package dev.sockit.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sockit.Endpoint;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A name with several addresses: the client tries each in turn (here localhost has only one, so the list is given). */
class TcpAddressesTest {

    @Test
    void triesEachAddressInTurnUntilOneAnswers() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(v6, 0));
        } catch (java.io.IOException e) {
            assumeTrue(false, "this machine has no IPv6 loopback (::1) to be the second address");
        }
        try (ServerSocket onlyOnIpv6 = new ServerSocket()) {
            onlyOnIpv6.bind(new InetSocketAddress(v6, 0));
            int port = onlyOnIpv6.getLocalPort();
            InetAddress[] addresses = {InetAddress.getByName("127.0.0.1"), v6};
            try (SocketChannel channel = Tcp.connectToAny(Endpoint.tcp("both.example", port), addresses,
                    Duration.ofSeconds(5))) {
                assertThat(((InetSocketAddress) channel.getRemoteAddress()).getAddress()).isEqualTo(v6);
            }
        }
    }
}
