package dev.sockit.transport.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sockit.Client;
import dev.sockit.Connection;
import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.Heartbeat;
import dev.sockit.Server;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * TCP_USER_TIMEOUT as a liveness setting: read back from the kernel on the very sockets the
 * server accepts and the client connects, found by their addresses.
 */
class TcpUserTimeoutTest {

    private static final Heartbeat WITH_USER_TIMEOUT = Heartbeat.DEFAULT.userTimeout(Duration.ofMillis(1234));

    @Test
    void everyConnectionAServerAcceptsHasTheUserTimeout() throws Exception {
        try (Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:0")).heartbeat(WITH_USER_TIMEOUT)
                        .handler(Handlers.echo()).start();
             Socket peer = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            peer.getOutputStream().write("ping\n".getBytes());
            assertThat(peer.getInputStream().read()).isEqualTo('p'); // accepted and served
            int accepted = only(Descriptors.find(peer.getRemoteSocketAddress(), peer.getLocalSocketAddress(), false));
            assertThat(Libc.getInt(accepted, Libc.IPPROTO_TCP, Libc.TCP_USER_TIMEOUT)).isEqualTo(1234);
        }
    }

    @Test
    void aClientConnectionHasTheUserTimeout() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Connection connection = Client.connect(Endpoint.parse("tcp://127.0.0.1:" + listener.getLocalPort()))
                     .heartbeat(WITH_USER_TIMEOUT).open();
             Socket accepted = listener.accept()) {
            int fd = only(Descriptors.find(connection.local(), connection.remote(), false));
            assertThat(Libc.getInt(fd, Libc.IPPROTO_TCP, Libc.TCP_USER_TIMEOUT)).isEqualTo(1234);
            int other = only(Descriptors.find(accepted.getLocalSocketAddress(), accepted.getRemoteSocketAddress(), false));
            assertThat(Libc.getInt(other, Libc.IPPROTO_TCP, Libc.TCP_USER_TIMEOUT)).as("the plain peer's").isZero();
        }
    }

    @Test
    void withoutItTheKernelKeepsItsOwnRule() throws Exception {
        try (Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:0")).handler(Handlers.echo()).start();
             Socket peer = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            peer.getOutputStream().write("ping\n".getBytes());
            assertThat(peer.getInputStream().read()).isEqualTo('p');
            int accepted = only(Descriptors.find(peer.getRemoteSocketAddress(), peer.getLocalSocketAddress(), false));
            assertThat(Libc.getInt(accepted, Libc.IPPROTO_TCP, Libc.TCP_USER_TIMEOUT)).isZero();
        }
    }

    @Test
    void aNegativeUserTimeoutIsRefusedWithTheValue() {
        assertThatThrownBy(() -> Heartbeat.DEFAULT.userTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
    }

    @Test
    void aListenerIsFoundByItsAddressAndNotConfusedWithItsConnections() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket peer = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
             Socket accepted = listener.accept()) {
            SocketAddress where = new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
            assertThat(Descriptors.find(where, null, true)).hasSize(1);
            assertThat(Descriptors.find(where, peer.getLocalSocketAddress(), false)).hasSize(1);
            assertThat(accepted.isConnected()).isTrue();
        }
    }

    private static int only(List<Integer> descriptors) {
        assertThat(descriptors).hasSize(1);
        return descriptors.getFirst();
    }
}
