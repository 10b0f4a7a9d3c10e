package dev.sockit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.AbstractStringAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading endpoints, and the messages that say how to write them when they are wrong. */
class EndpointTest {

    @Test
    void readsATcpEndpoint() {
        Endpoint endpoint = Endpoint.parse("tcp://127.0.0.1:8001");
        assertThat(endpoint.kind()).isEqualTo(Endpoint.Kind.TCP);
        assertThat(endpoint.host()).isEqualTo("127.0.0.1");
        assertThat(endpoint.port()).isEqualTo(8001);
    }

    @Test
    void readsABareHostAndPortAsTcp() {
        assertThat(Endpoint.parse("localhost:8001")).isEqualTo(Endpoint.tcp("localhost", 8001));
    }

    @Test
    void readsTheSchemeInAnyCase() {
        assertThat(Endpoint.parse("TCP://127.0.0.1:8001")).isEqualTo(Endpoint.tcp("127.0.0.1", 8001));
    }

    @Test
    void readsPortZeroAsAnyFreePort() {
        assertThat(Endpoint.parse("tcp://127.0.0.1:0").port()).isZero();
    }

    @Test
    void readsAnIpv6AddressInBracketsWithoutTheBrackets() {
        Endpoint endpoint = Endpoint.parse("tcp://[::1]:8001");
        assertThat(endpoint.host()).isEqualTo("::1");
        assertThat(endpoint.port()).isEqualTo(8001);
    }

    @Test
    void readsABareIpv6AddressInBrackets() {
        assertThat(Endpoint.parse("[::1]:8001")).isEqualTo(Endpoint.tcp("::1", 8001));
    }

    @Test
    void keepsTheZoneIdOfALinkLocalIpv6Address() {
        Endpoint endpoint = Endpoint.parse("tcp://[fe80::1%eth0]:8001");
        assertThat(endpoint.host()).isEqualTo("fe80::1%eth0");
        assertThat(endpoint.port()).isEqualTo(8001);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp://127.0.0.1:8001", "tcp://[::1]:8001", "tcp://[fe80::1%eth0]:65535", "tcp://example.org:1"})
    void writesItselfAsTheUriItWasReadFrom(String text) {
        assertThat(Endpoint.parse(text).toString()).isEqualTo(text);
    }

    @Test
    void tellsWhereToPutThePortWhenThereIsNone() {
        assertRefused("tcp://localhost").contains("tcp://localhost").contains("no port").contains("tcp://localhost:PORT");
    }

    @Test
    void tellsWhereToPutThePortWhenABareHostHasNone() {
        assertRefused("localhost").contains("\"localhost\"").contains("no port");
    }

    @Test
    void tellsWhereToPutThePortWhenAnIpv6AddressHasNone() {
        assertRefused("tcp://[::1]").contains("tcp://[::1]").contains("no port");
    }

    @ParameterizedTest
    @ValueSource(strings = {"65536", "99999", "-1", "+80", "http", ""})
    void refusesAPortThatIsNotANumberFrom0To65535NamingIt(String port) {
        assertRefused("tcp://127.0.0.1:" + port).contains("port \"" + port + "\"").contains("0 to 65535");
    }

    @Test
    void refusesAnIpv6AddressWithoutBracketsShowingHowToWriteIt() {
        assertRefused("tcp://::1:8001").contains("\"tcp://::1:8001\"").contains("without brackets")
                .contains("tcp://[::1]:8001");
    }

    @Test
    void refusesABracketThatIsNeverClosed() {
        assertRefused("tcp://[::1:8001").contains("tcp://[::1:8001").contains("never closes");
    }

    @Test
    void refusesSomethingInBracketsThatIsNotAnIpv6Address() {
        assertRefused("tcp://[localhost]:8001").contains("\"localhost\"").contains("not an IPv6 address");
    }

    @Test
    void refusesAnEndpointWithoutAHost() {
        assertRefused("tcp://:8001").contains("tcp://:8001").contains("no host");
    }

    @Test
    void refusesAnEndpointWithAPath() {
        assertRefused("tcp://127.0.0.1:8001/chat").contains("tcp://127.0.0.1:8001/chat").contains("path");
    }

    @Test
    void refusesAnEmptyEndpointSayingHowToWriteOne() {
        assertRefused(" ").contains("empty").contains("tcp://HOST:PORT");
    }

    @Test
    void refusesAnUnknownSchemeNamingItAndWhatIsSupported() {
        assertRefused("http://127.0.0.1:8001").contains("\"http\"").contains("unknown scheme")
                .contains("supported: tcp://HOST:PORT");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tls://127.0.0.1:8001", "TLS://[::1]:8001"})
    void readsTlsInAnyCase(String text) {
        assertThat(Endpoint.parse(text).kind()).isEqualTo(Endpoint.Kind.TLS);
    }

    @Test
    void givesTheSameEndpointWithAnotherPort() {
        assertThat(Endpoint.parse("tcp://[::1]:0").withPort(8002)).isEqualTo(Endpoint.parse("tcp://[::1]:8002"));
    }

    /** Asserts that {@code text} is refused, and gives the message to check for what it says. */
    private static AbstractStringAssert<?> assertRefused(String text) {
        return assertThatThrownBy(() -> Endpoint.parse(text)).isInstanceOf(IllegalArgumentException.class).message();
    }
}
