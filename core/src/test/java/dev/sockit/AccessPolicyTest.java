package dev.sockit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import org.junit.jupiter.api.Test;

/** Address ranges and the allow/deny policy, without sockets. */
class AccessPolicyTest {

    private static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }

    @Test
    void anIpv4RangeHoldsTheAddressesUnderItsPrefixOnly() {
        AddressRange range = AddressRange.parse("10.0.0.0/8");
        assertThat(range.contains(ip("10.0.0.0"))).isTrue();
        assertThat(range.contains(ip("10.255.255.255"))).isTrue();
        assertThat(range.contains(ip("11.0.0.0"))).isFalse();
        assertThat(range.contains(ip("9.255.255.255"))).isFalse();
    }

    @Test
    void aBareAddressIsThatAddressAlone() {
        AddressRange one = AddressRange.parse("192.168.1.7");
        assertThat(one.prefix()).isEqualTo(32);
        assertThat(one.contains(ip("192.168.1.7"))).isTrue();
        assertThat(one.contains(ip("192.168.1.8"))).isFalse();
        assertThat(AddressRange.parse("::1").contains(ip("::1"))).isTrue();
        assertThat(AddressRange.parse("::1").contains(ip("::2"))).isFalse();
    }

    @Test
    void ipv6RangesMatchOnPrefixesAcrossBothHalves() {
        assertThat(AddressRange.parse("fe80::/10").contains(ip("fe80::1"))).isTrue();
        assertThat(AddressRange.parse("fe80::/10").contains(ip("febf:ffff::1"))).isTrue();
        assertThat(AddressRange.parse("fe80::/10").contains(ip("fec0::1"))).isFalse();
        assertThat(AddressRange.parse("2001:db8::/32").contains(ip("2001:db8:ffff::9"))).isTrue();
        assertThat(AddressRange.parse("2001:db8::/32").contains(ip("2001:db9::"))).isFalse();
        assertThat(AddressRange.parse("2001:db8::/96").contains(ip("2001:db8::1:2"))).isTrue();
        assertThat(AddressRange.parse("2001:db8::/96").contains(ip("2001:db8::1:0:0"))).isFalse();
        assertThat(AddressRange.parse("::/0").contains(ip("2001:db8::1"))).isTrue();
    }

    @Test
    void ipv4AndIpv6NeverMatchEachOther() {
        assertThat(AddressRange.parse("0.0.0.0/0").contains(ip("::1"))).isFalse();
        assertThat(AddressRange.parse("::/0").contains(ip("127.0.0.1"))).isFalse();
    }

    @Test
    void anIpv4MappedPeerMatchesIpv4Rules() throws Exception {
        // Built from bytes with a scope, so Java keeps it an Inet6Address, as a dual-stack socket may hand it over.
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, 10, 1, 2, 3};
        InetAddress peer = Inet6Address.getByAddress(null, mapped, 0);
        assertThat(peer).isInstanceOf(Inet6Address.class);
        assertThat(AddressRange.parse("10.0.0.0/8").contains(peer)).isTrue();
        assertThat(AddressRange.parse("11.0.0.0/8").contains(peer)).isFalse();
        assertThat(AddressRange.parse("::/0").contains(peer)).isFalse();
    }

    @Test
    void aRangeWrittenInTheMappedFormIsTheIpv4Range() {
        AddressRange range = AddressRange.parse("::ffff:10.0.0.0/104");
        assertThat(range.isIpv6()).isFalse();
        assertThat(range.prefix()).isEqualTo(8);
        assertThat(range.contains(ip("10.9.9.9"))).isTrue();
    }

    @Test
    void aPrefixPastTheAddressLengthIsRefusedSayingTheRange() {
        assertThatThrownBy(() -> AddressRange.parse("10.0.0.0/33"))
                .hasMessage("10.0.0.0/33: a prefix of an IPv4 range is 0 to 32");
        assertThatThrownBy(() -> AddressRange.parse("2001:db8::/129"))
                .hasMessage("2001:db8::/129: a prefix of an IPv6 range is 0 to 128");
    }

    @Test
    void whatIsNotAnAddressIsRefusedWithWhatToWrite() {
        assertThatThrownBy(() -> AddressRange.parse("localhost"))
                .hasMessageStartingWith("localhost: \"localhost\" is not an IP address")
                .hasMessageContaining("host names are not looked up");
        assertThatThrownBy(() -> AddressRange.parse("10.0.0.256")).hasMessageContaining("0 to 255");
        assertThatThrownBy(() -> AddressRange.parse("10.0.0/8")).hasMessageContaining("write four numbers");
        assertThatThrownBy(() -> AddressRange.parse("10.0.0.0/x")).hasMessageContaining("must be a number from 0 to 32");
        assertThatThrownBy(() -> AddressRange.parse("10.0.0.0/")).hasMessageContaining("must be a number");
        assertThatThrownBy(() -> AddressRange.parse("2001:db8::g")).hasMessageContaining("is not an IPv6 address");
        assertThatThrownBy(() -> AddressRange.parse(" ")).hasMessageContaining("no address");
        assertThatThrownBy(() -> AddressRange.parse("fe80::1%eth0")).hasMessageContaining("without the scope");
    }

    @Test
    void anAddressWithBitsPastItsPrefixIsRefusedNamingTheNetwork() {
        assertThatThrownBy(() -> AddressRange.parse("10.1.2.3/8"))
                .hasMessage("10.1.2.3/8: the address has bits set past its /8 prefix; write the network, 10.0.0.0/8,"
                        + " or the address alone");
    }

    @Test
    void denyWinsOverAllow() {
        AccessPolicy policy = AccessPolicy.OPEN.allow("10.0.0.0/8").deny("10.66.0.0/16");
        assertThat(policy.refusal(ip("10.1.2.3"))).isEmpty();
        assertThat(policy.refusal(ip("10.66.1.1"))).contains("denied by --deny 10.66.0.0/16");
    }

    @Test
    void onceAnyRangeIsAllowedOnlyThoseGetIn() {
        AccessPolicy policy = AccessPolicy.OPEN.allow("10.0.0.0/8", "::1");
        assertThat(policy.refusal(ip("::1"))).isEmpty();
        assertThat(policy.refusal(ip("192.168.1.7"))).contains("not allowed: in no --allow range (10.0.0.0/8, ::1)");
    }

    @Test
    void withDenyAloneEveryoneElseGetsIn() {
        AccessPolicy policy = AccessPolicy.OPEN.deny("192.168.1.7", "2001:db8::/32");
        assertThat(policy.refusal(ip("192.168.1.8"))).isEmpty();
        assertThat(policy.refusal(ip("2001:db8::5"))).contains("denied by --deny 2001:db8::/32");
    }

    @Test
    void peersWithoutAnAddressAreNotJudged() {
        AccessPolicy policy = AccessPolicy.OPEN.allow("10.0.0.0/8");
        assertThat(policy.refusal(UnixDomainSocketAddress.of("/tmp/x.sock"))).isEmpty();
        assertThat(policy.refusal(new InetSocketAddress(ip("127.0.0.1"), 5555))).isPresent();
    }
}
