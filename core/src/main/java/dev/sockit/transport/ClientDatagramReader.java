package dev.sockit.transport;

import dev.sockit.CloseReason;
import dev.sockit.Message;
import java.io.IOException;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;

/**
 * The feeder of a client's {@link DatagramConnection}: reads the client's own connected
 * socket on a virtual thread of its own and hands each datagram to the connection's inbox,
 * until the connection closes. A server's sessions are fed by the {@link DatagramListener}.
 */
final class ClientDatagramReader {

    private ClientDatagramReader() {}

    /** Starts reading {@code channel} into {@code connection}. */
    static void start(DatagramChannel channel, DatagramConnection connection) {
        Thread.ofVirtual().name("sockit-udp-reader-" + connection.id()).start(() -> read(channel, connection));
    }

    private static void read(DatagramChannel channel, DatagramConnection connection) {
        // Room for the largest datagram there is, so that nothing a server sends is cut short.
        ByteBuffer buffer = ByteBuffer.allocate(Udp.MAX_PAYLOAD + 1);
        while (connection.isOpen()) {
            buffer.clear();
            try {
                channel.receive(buffer);
            } catch (PortUnreachableException e) {
                // ICMP: nothing listens at the peer's port. Keep reading: a server may start.
                connection.markUnreachable();
                continue;
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                connection.close(CloseReason.of(CloseReason.Code.BROKEN, Errors.describe(e)));
                return;
            }
            buffer.flip();
            if (connection.deliver(Message.copyOf(buffer, 0, buffer.remaining())) == DatagramInbox.Delivery.ENDED) {
                return;
            }
        }
    }
}
