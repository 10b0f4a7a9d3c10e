package dev.sockit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sockit.AccessPolicy;
import dev.sockit.Endpoint;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import org.junit.jupiter.api.Test;

/** -4 and -6 for a listener, as ncat means them: the family of the address listened on. */
class IpFamilyTest {

    private static IpFamily of(boolean ipv4, boolean ipv6) {
        IpFamily family = new IpFamily();
        family.ipv4 = ipv4;
        family.ipv6 = ipv6;
        return family;
    }

    @Test
    void neitherLeavesTheEndpointAsWritten() throws Exception {
        Endpoint endpoint = Endpoint.parse("tcp://localhost:9000");
        assertThat(of(false, false).listening(endpoint)).isEqualTo(endpoint);
        assertThat(of(false, false).family()).isNull();
        assertThat(of(false, false).defaultEndpoint()).isEqualTo(Endpoint.DEFAULT);
    }

    @Test
    void sixMakesTheDefaultIpv6sLoopback() {
        assertThat(of(false, true).defaultEndpoint()).isEqualTo("tcp://[::1]:8001");
        assertThat(of(false, true).family()).isEqualTo(StandardProtocolFamily.INET6);
    }

    @Test
    void aHostNameBecomesItsAddressOfThatFamily() throws Exception {
        assertThat(of(true, false).listening(Endpoint.parse("tcp://localhost:9000")))
                .isEqualTo(Endpoint.parse("tcp://127.0.0.1:9000"));
        assertThat(of(true, false).listening(Endpoint.parse("ws://localhost:0/chat")).toString())
                .isEqualTo("ws://127.0.0.1:0/chat");
    }

    @Test
    void aLiteralOfTheOtherFamilyIsRefusedWithTheOneToGive() {
        assertThatThrownBy(() -> of(false, true).listening(Endpoint.parse("tcp://127.0.0.1:9000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-6 asks for IPv6").hasMessageContaining("tcp://[::1]:9000");
        assertThatThrownBy(() -> of(true, false).listening(Endpoint.parse("udp://[::]:53")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-4 asks for IPv4").hasMessageContaining("udp://0.0.0.0:53");
        assertThatThrownBy(() -> of(true, true).family()).hasMessageContaining("not both");
    }

    @Test
    void aUnixSocketHasNoFamilyToChoose() {
        assertThatThrownBy(() -> of(true, false).listening(Endpoint.parse("unix:/tmp/x.sock")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Unix socket");
    }

    @Test
    void sixOnTheIpv6WildcardTurnsIpv4PeersAwayAndNowhereElse() throws Exception {
        AccessPolicy wildcard = of(false, true).restrict(AccessPolicy.OPEN, Endpoint.parse("tcp://[::]:9000"));
        assertThat(wildcard.refusal(InetAddress.getByName("127.0.0.1"))).isPresent();
        assertThat(wildcard.refusal(InetAddress.getByName("::1"))).isEmpty();
        assertThat(of(false, true).restrict(AccessPolicy.OPEN, Endpoint.parse("tcp://[::1]:9000")))
                .isSameAs(AccessPolicy.OPEN);
        assertThat(of(true, false).restrict(AccessPolicy.OPEN, Endpoint.parse("tcp://0.0.0.0:9000")))
                .isSameAs(AccessPolicy.OPEN);
    }
}
