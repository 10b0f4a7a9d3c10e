package dev.sockit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How peers are named in logs, chat announcements and messages. */
class PeersTest {

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1, 127.0.0.1:8001",
        "::1, [::1]:8001",
        "::, [::]:8001",
        "2001:db8::1, [2001:db8::1]:8001",
        "2001:db8:0:0:1:0:0:1, [2001:db8::1:0:0:1]:8001",
        "2001:db8:0:1:1:1:1:1, [2001:db8:0:1:1:1:1:1]:8001",
        "2001:0:0:1:0:0:0:1, [2001:0:0:1::1]:8001",
        "fe80::1:0, [fe80::1:0]:8001",
        "1:0:0:0:0:0:0:0, [1::]:8001",
    })
    void namesAnAddressByItsShortNumericForm(String address, String expected) throws Exception {
        assertThat(Peers.describe(new InetSocketAddress(InetAddress.getByName(address), 8001))).isEqualTo(expected);
    }

    @Test
    void keepsTheZoneOfALinkLocalAddress() throws Exception {
        byte[] linkLocal = InetAddress.getByName("fe80::1").getAddress();
        InetSocketAddress scoped = new InetSocketAddress(Inet6Address.getByAddress(null, linkLocal, 2), 8001);
        assertThat(Peers.describe(scoped)).isEqualTo("[fe80::1%2]:8001");
    }

    @Test
    void namesAnUnresolvedAddressByTheNameItWasGiven() {
        assertThat(Peers.describe(InetSocketAddress.createUnresolved("example.org", 80))).isEqualTo("example.org:80");
    }
}
