package dev.sockit;

import static dev.sockit.TestKit.awaitUntil;
import static dev.sockit.TestKit.onLoopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sockit.TestKit.Peer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** --allow and --deny through real sockets: refused peers hear nothing and no handler runs. */
class AccessControlTest {

    /** Records refusals and counts handlers started. */
    private static final class Watch implements Observer {
        final BlockingQueue<String> refusals = new LinkedBlockingQueue<>();
        final AtomicInteger connected = new AtomicInteger();

        @Override
        public void refused(SocketAddress peer, String why) {
            refusals.add(((InetSocketAddress) peer).getAddress().getHostAddress() + ": " + why);
        }

        @Override
        public void connected(Connection connection) {
            connected.incrementAndGet();
        }

        String nextRefusal() throws InterruptedException {
            return refusals.poll(TestKit.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void aDeniedPeerIsClosedWithoutAByteAndCounted() throws Exception {
        Watch watch = new Watch();
        try (Server server = onLoopback().deny("127.0.0.2").handler(Handlers.ack("hello, stranger")).observer(watch).start();
             Peer stranger = Peer.connectFrom("127.0.0.2", server.port())) {
            stranger.write("hi\n");
            assertThat(stranger.atEndOfStream()).as("closed with nothing said").isTrue();
            assertThat(watch.nextRefusal()).isEqualTo("127.0.0.2: denied by --deny 127.0.0.2");
            assertThat(server.stats().refused()).isEqualTo(1);
            assertThat(server.stats().accepted()).isZero();
            assertThat(watch.connected).hasValue(0);
        }
    }

    @Test
    void peersOutsideTheDeniedRangeAreServed() throws Exception {
        try (Server server = onLoopback().deny("127.0.0.2/32", "10.0.0.0/8").start();
             Peer friend = Peer.connectFrom("127.0.0.1", server.port())) {
            assertThat(friend.ask("hi")).isEqualTo(Handlers.ACK_REPLY);
            assertThat(server.stats().refused()).isZero();
        }
    }

    @Test
    void withAnAllowListOnlyPeersInItGetIn() throws Exception {
        Watch watch = new Watch();
        try (Server server = onLoopback().allow("127.0.0.2").observer(watch).start();
             Peer allowed = Peer.connectFrom("127.0.0.2", server.port());
             Peer other = Peer.connectFrom("127.0.0.1", server.port())) {
            assertThat(allowed.ask("hi")).isEqualTo(Handlers.ACK_REPLY);
            assertThat(other.atEndOfStream()).isTrue();
            assertThat(watch.nextRefusal()).isEqualTo("127.0.0.1: not allowed: in no --allow range (127.0.0.2)");
        }
    }

    @Test
    void denyWinsOverAnAllowThatHoldsThePeerToo() throws Exception {
        try (Server server = onLoopback().allow("127.0.0.0/8").deny("127.0.0.2").start();
             Peer denied = Peer.connectFrom("127.0.0.2", server.port());
             Peer allowed = Peer.connectFrom("127.0.0.1", server.port())) {
            assertThat(denied.atEndOfStream()).isTrue();
            assertThat(allowed.ask("hi")).isEqualTo(Handlers.ACK_REPLY);
        }
    }

    @Test
    void ipv6RulesJudgeIpv6Peers() throws Exception {
        assumeTrue(Ipv6.hasLoopback(), "this machine has no IPv6 loopback");
        try (Server denying = Server.listen(Endpoint.parse("tcp://[::1]:0")).deny("::1/128").start();
             Peer denied = Peer.connect("::1", denying.port());
             Server allowing = Server.listen(Endpoint.parse("tcp://[::1]:0")).allow("fe80::/10", "::1").start();
             Peer allowed = Peer.connect("::1", allowing.port())) {
            assertThat(denied.atEndOfStream()).isTrue();
            assertThat(denying.stats().refused()).isEqualTo(1);
            assertThat(allowed.ask("hi")).isEqualTo(Handlers.ACK_REPLY);
        }
    }

    @Test
    void anIpv4PeerOnADualStackSocketIsJudgedByIpv4Rules() throws Exception {
        assumeTrue(Ipv6.hasLoopback(), "this machine has no IPv6");
        Watch watch = new Watch();
        try (Server server = Server.listen(Endpoint.parse("tcp://[::]:0")).allow("127.0.0.1").observer(watch).start();
             Peer allowed = Peer.connectFrom("127.0.0.1", server.port());
             Peer refused = Peer.connectFrom("127.0.0.2", server.port())) {
            assertThat(allowed.ask("hi")).isEqualTo(Handlers.ACK_REPLY);
            assertThat(refused.atEndOfStream()).isTrue();
            assertThat(watch.nextRefusal()).isEqualTo("127.0.0.2: not allowed: in no --allow range (127.0.0.1)");
        }
    }

    @Test
    void aDeniedUdpPeerGetsNoSessionAndNoAnswer() throws Exception {
        Watch watch = new Watch();
        try (Server server = Server.listen(Endpoint.parse("udp://127.0.0.1:0")).deny("127.0.0.2").observer(watch)
                .handler(Handlers.echo()).start();
             UdpPeer stranger = new UdpPeer(new InetSocketAddress("127.0.0.1", server.port()),
                     InetAddress.ofLiteral("127.0.0.2"));
             UdpPeer friend = UdpPeer.to(server)) {
            stranger.send("hi");
            assertThat(watch.nextRefusal()).isEqualTo("127.0.0.2: denied by --deny 127.0.0.2");
            assertThat(friend.ask("hello")).isEqualTo("hello");
            awaitUntil("one session, the friend's", () -> server.stats().accepted() == 1);
            assertThat(server.stats().refused()).isEqualTo(1);
            assertThat(watch.connected).hasValue(1);
        }
    }
}
