package dev.sockit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import org.junit.jupiter.api.Test;

class PeersKindsTest {

    @Test
    void writesIpv6LoopbackShort() throws Exception {
        assertThat(Peers.describe(new InetSocketAddress(InetAddress.getByName("::1"), 50312))).isEqualTo("[::1]:50312");
    }

    @Test
    void writesTheWildcardAsTwoColons() throws Exception {
        assertThat(Peers.describe(new InetSocketAddress(InetAddress.getByName("::"), 8001))).isEqualTo("[::]:8001");
    }

    @Test
    void shortensTheLongestRunOfZerosOnly() throws Exception {
        assertThat(Peers.describe(new InetSocketAddress(InetAddress.getByName("2001:db8:0:0:1:0:0:1"), 1)))
                .isEqualTo("[2001:db8::1:0:0:1]:1");
        assertThat(Peers.describe(new InetSocketAddress(InetAddress.getByName("2001:db8:0:1:1:1:1:1"), 1)))
                .isEqualTo("[2001:db8:0:1:1:1:1:1]:1");
        assertThat(Peers.describe(new InetSocketAddress(InetAddress.getByName("fd00::2"), 1))).isEqualTo("[fd00::2]:1");
        assertThat(Peers.describe(new InetSocketAddress(InetAddress.getByName("1::"), 1))).isEqualTo("[1::]:1");
    }

    @Test
    void writesIpv4AsItIs() throws Exception {
        assertThat(Peers.describe(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 8001))).isEqualTo("127.0.0.1:8001");
    }

    @Test
    void keepsTheZone() throws Exception {
        String zone = Ipv6.linkLocalInterface();
        assumeTrue(zone != null, "no network interface here has an IPv6 link-local address, so no zone id can resolve");
        assertThat(Peers.describe(new InetSocketAddress(InetAddress.getByName("fe80::1%" + zone), 1)))
                .isEqualTo("[fe80::1%" + zone + "]:1");
    }

    @Test
    void writesAUnixSocketByItsPath() {
        assertThat(Peers.describe(UnixDomainSocketAddress.of("/run/app.sock"))).isEqualTo("unix:/run/app.sock");
    }

    @Test
    void saysAUnixClientWithoutANameIsUnnamed() {
        assertThat(Peers.describe(UnixDomainSocketAddress.of(""))).isEqualTo("unix:(unnamed)");
    }
}
