package dev.sockit;

import dev.sockit.cluster.Broker;
import dev.sockit.proxy.ProxyHeader;
import dev.sockit.transport.Discardable;
import dev.sockit.transport.InlineSafe;
import java.util.Locale;

/**
 * The everyday servers: {@link #ack}, {@link #echo}, {@link #chat}, {@link #discard}.
 *
 * <pre>{@code Server.listen(endpoint).handler(Handlers.ack(Handlers.ACK_REPLY)).start();}</pre>
 */
public final class Handlers {

    /** The walk-through's reply to every message. */
    public static final String ACK_REPLY = "server received your message.";

    private Handlers() {}

    /**
     * {@return a handler that answers every message with {@code reply}}: a {@link MessageHandler},
     * so an idle TCP connection waits without a thread.
     *
     * @param reply the answer, e.g. {@link #ACK_REPLY}
     */
    public static Handler ack(String reply) {
        Message answer = Message.of(reply);
        return (MessageHandler & InlineSafe) (connection, message) -> connection.send(answer);
    }

    /**
     * {@return a handler that sends every message back as it came}, byte for byte: a
     * {@link MessageHandler}, so an idle TCP connection waits without a thread.
     */
    public static Handler echo() {
        return (MessageHandler & InlineSafe) Connection::send;
    }

    /**
     * {@return a handler that reads and forgets every message}; it answers nothing. Over the
     * raw framing a stream connection reads without making messages at all (each read still
     * counts as one, and an {@link Observer} that {@linkplain Observer#watchesMessages watches
     * messages} still gets them): a bulk transfer's bytes are then copied once, by the kernel.
     */
    public static Handler discard() {
        return connection -> {
            if (connection instanceof Discardable unread && unread.discardInput()) {
                return;
            }
            while (connection.receive() != null) {
                // Reading is the whole job: it keeps the peer's writes flowing.
            }
        };
    }

    /**
     * Relays each message to every other member of one shared group, as {@code [ID] } followed
     * by the message's bytes exactly as they came (never decoded, so bytes that are not valid
     * UTF-8 are relayed as they are), and announces arrivals and departures. A member that
     * reads more slowly than others send slows the senders; one that stops reading is
     * disconnected ("not reading"; see {@link OutboundLimit}). Each call makes a new chat room. Over UDP the
     * members are the peers heard from within the server's session timeout: a peer joins
     * with its first datagram and leaves when it falls silent.
     *
     * @return the handler of a new room
     */
    public static Handler chat() {
        return chat(Broker.standalone());
    }

    /**
     * {@link #chat()} over the nodes of {@code broker}'s cluster: one room whose members are the
     * clients of every node, each named by its {@link ConnectionId} ({@code [web-1/3] hello}).
     * A line reaches every member of every node but its sender, in the order sent; those of
     * other nodes at most once (docs/cluster.md). Each call makes a new room of the name
     * {@code chat}: one per server. A connection that began with a PROXY {@code LOCAL} header
     * is a load balancer's health check, not a member: it is served without joining.
     *
     * @param broker the cluster's broker, or {@link Broker#standalone()}
     * @return the handler of a new room
     */
    public static Handler chat(Broker broker) {
        Group room = new Group("chat", broker);
        return connection -> {
            if (connection.proxyHeader().filter(h -> h.command() == ProxyHeader.Command.LOCAL).isPresent()) {
                // A load balancer's own connection (its health check), no one's arrival: served, never announced.
                while (connection.receive() != null) {
                    // nothing to relay from the balancer
                }
                return;
            }
            ConnectionId id = room.id(connection);
            // Join first: whoever hears "joined" may talk to the newcomer at once, and must reach it.
            room.join(connection);
            room.broadcastExcept(connection,
                    Message.of("* " + id + " joined from " + Peers.describe(connection)));
            byte[] label = ("[" + id + "] ").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            try {
                for (Message message; (message = connection.receive()) != null; ) {
                    room.broadcastExcept(connection, message.prefixed(label));
                }
            } finally {
                room.leave(connection);
                room.broadcast(Message.of("* " + id + " left"));
            }
        };
    }

    /**
     * {@return the handler for a mode name as the command line writes it}: ack, echo, chat, discard.
     *
     * @param mode  the name, in any case
     * @param reply the answer, for {@code ack}
     * @throws IllegalArgumentException for another name, listing the choices
     */
    public static Handler forMode(String mode, String reply) {
        return forMode(mode, reply, Broker.standalone());
    }

    /**
     * {@return the handler for a mode name}, as {@link #forMode(String, String)}, with chat over {@code broker}'s cluster.
     *
     * @param mode   the name, in any case
     * @param reply  the answer, for {@code ack}
     * @param broker the cluster's broker, for {@code chat}
     * @throws IllegalArgumentException for another name, listing the choices
     */
    public static Handler forMode(String mode, String reply, Broker broker) {
        return switch (mode.toLowerCase(Locale.ROOT)) {
            case "ack" -> ack(reply);
            case "echo" -> echo();
            case "chat" -> chat(broker);
            case "discard" -> discard();
            default -> throw new IllegalArgumentException("unknown mode \"" + mode + "\"; choose ack, echo, chat or discard");
        };
    }
}
