package dev.sockit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Inet6Address;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EndpointKindsTest {

    @Test
    void readsAUdpEndpoint() {
        Endpoint endpoint = Endpoint.parse("udp://127.0.0.1:8001");
        assertThat(endpoint.kind()).isEqualTo(Endpoint.Kind.UDP);
        assertThat(endpoint.host()).isEqualTo("127.0.0.1");
        assertThat(endpoint.port()).isEqualTo(8001);
        assertThat(endpoint).hasToString("udp://127.0.0.1:8001");
    }

    @Test
    void readsAUdpEndpointOnIpv6Loopback() {
        Endpoint endpoint = Endpoint.parse("udp://[::1]:8001");
        assertThat(endpoint.host()).isEqualTo("::1");
        assertThat(endpoint).hasToString("udp://[::1]:8001");
    }

    @Test
    void readsAUnixEndpointWithOrWithoutSlashes() {
        assertThat(Endpoint.parse("unix:/tmp/app.sock").path()).isEqualTo(Path.of("/tmp/app.sock"));
        assertThat(Endpoint.parse("unix:///tmp/app.sock").path()).isEqualTo(Path.of("/tmp/app.sock"));
        assertThat(Endpoint.parse("unix:/tmp/app.sock")).hasToString("unix:/tmp/app.sock");
        assertThat(Endpoint.parse("unix:/tmp/app.sock").kind()).isEqualTo(Endpoint.Kind.UNIX);
    }

    @Test
    void readsARelativeUnixPath() {
        assertThat(Endpoint.parse("unix:app.sock").path()).isEqualTo(Path.of("app.sock"));
    }

    @Test
    void readsATlsEndpoint() {
        Endpoint endpoint = Endpoint.parse("tls://127.0.0.1:8443");
        assertThat(endpoint.kind()).isEqualTo(Endpoint.Kind.TLS);
        assertThat(endpoint).isEqualTo(Endpoint.tls("127.0.0.1", 8443)).hasToString("tls://127.0.0.1:8443");
    }

    @Test
    void readsAZoneId() {
        Endpoint endpoint = Endpoint.parse("tcp://[fe80::1%eth0]:8001");
        assertThat(endpoint.host()).isEqualTo("fe80::1%eth0");
        assertThat(endpoint).hasToString("tcp://[fe80::1%eth0]:8001");
    }

    @Test
    void readsAZoneIdWrittenAsInAUri() {
        assertThat(Endpoint.parse("tcp://[fe80::1%25eth0]:8001").host()).isEqualTo("fe80::1%eth0");
    }

    @Test
    void resolvesAZoneIdToAScopedAddress() {
        String zone = Ipv6.linkLocalInterface();
        assumeTrue(zone != null, "no network interface here has an IPv6 link-local address, so no zone id can resolve");
        Endpoint endpoint = Endpoint.parse("udp://[fe80::1%" + zone + "]:8001");
        Inet6Address address = (Inet6Address) endpoint.socketAddress().getAddress();
        assertThat(address.getScopedInterface().getName()).isEqualTo(zone);
    }

    @Test
    void buildsUdpAndUnixEndpointsInCode() {
        assertThat(Endpoint.udp("::1", 9)).isEqualTo(Endpoint.parse("udp://[::1]:9"));
        assertThat(Endpoint.unix(Path.of("/tmp/a.sock"))).isEqualTo(Endpoint.parse("unix:/tmp/a.sock"));
    }

    @Test
    void aUnixEndpointHasNoSocketAddress() {
        assertThatThrownBy(() -> Endpoint.parse("unix:/tmp/a.sock").socketAddress())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unix:/tmp/a.sock");
    }
}
