package dev.sockit.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sockit.Endpoint;
import dev.sockit.Heartbeat;
import dev.sockit.Server;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;

/**
 * The TCP options every accepted socket has — Nagle off, keepalive with the heartbeat's
 * timing — whether the listener carries them for the sockets to inherit (Linux) or each
 * connection sets its own (elsewhere).
 */
class AcceptedOptionsTest {

    private static final Heartbeat.Keepalive KEEPALIVE =
            new Heartbeat.Keepalive(true, Duration.ofSeconds(77), Duration.ofSeconds(11), 4);

    @Test
    void aServersAcceptedSocketHasNagleOffAndTheHeartbeatsKeepalive() throws Exception {
        try (Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:0"))
                .heartbeat(Heartbeat.DEFAULT.keepalive(KEEPALIVE))
                .handler(connection -> {
                    SocketChannel channel = ((StreamCore) connection).channel;
                    connection.send(options(channel));
                })
                .start();
             Socket peer = new Socket("127.0.0.1", server.port())) {
            peer.setSoTimeout(5_000);
            String line = new BufferedReader(new InputStreamReader(peer.getInputStream(), UTF_8)).readLine();

            assertThat(line).isEqualTo("nodelay=true keepalive=true idle=77 interval=11 count=4");
        }
    }

    @Test
    void aServerWithoutKeepaliveLeavesItOffButNagleStillOff() throws Exception {
        try (Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:0"))
                .heartbeat(Heartbeat.OFF)
                .handler(connection -> connection.send(options(((StreamCore) connection).channel)))
                .start();
             Socket peer = new Socket("127.0.0.1", server.port())) {
            peer.setSoTimeout(5_000);
            String line = new BufferedReader(new InputStreamReader(peer.getInputStream(), UTF_8)).readLine();

            assertThat(line).startsWith("nodelay=true keepalive=false");
        }
    }

    @Test
    void onLinuxTheSocketsInheritWhatTheListenerCarries() throws Exception {
        assumeTrue(Tcp.listenerCarriesOptions(), "Linux with native access only");
        BlockingQueue<SocketChannel> accepted = new ArrayBlockingQueue<>(1);
        try (StreamListener listener = StreamListener.start(Endpoint.parse("tcp://127.0.0.1:0"),
                new StreamListener.Options(16, Unix.DEFAULT_MODE, false, Duration.ZERO, KEEPALIVE), accepted::add,
                e -> {});
             Socket peer = new Socket("127.0.0.1", listener.endpoint().port())) {
            SocketChannel channel = accepted.poll(5, TimeUnit.SECONDS);
            try (channel) {
                // Nothing was set on this socket itself: all of it came from the listener.
                assertThat(options(channel)).isEqualTo("nodelay=true keepalive=true idle=77 interval=11 count=4");
            }
        }
    }

    @Test
    void aListenerThatCarriesNothingGivesItsSocketsTheSystemsDefaults() throws Exception {
        BlockingQueue<SocketChannel> accepted = new ArrayBlockingQueue<>(1);
        try (StreamListener listener = StreamListener.start(Endpoint.parse("tcp://127.0.0.1:0"),
                new StreamListener.Options(16, Unix.DEFAULT_MODE, false, Duration.ZERO), accepted::add, e -> {});
             Socket peer = new Socket("127.0.0.1", listener.endpoint().port())) {
            SocketChannel channel = accepted.poll(5, TimeUnit.SECONDS);
            try (channel) {
                assertThat(options(channel)).startsWith("nodelay=false keepalive=false");
            }
        }
    }

    private static String options(SocketChannel channel) {
        try {
            return "nodelay=" + channel.getOption(StandardSocketOptions.TCP_NODELAY)
                    + " keepalive=" + channel.getOption(StandardSocketOptions.SO_KEEPALIVE)
                    + " idle=" + channel.getOption(ExtendedSocketOptions.TCP_KEEPIDLE)
                    + " interval=" + channel.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL)
                    + " count=" + channel.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
