package dev.sockit;

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

    /** Answers every message with {@code reply}. */
    public static Handler ack(String reply) {
        Message answer = Message.of(reply);
        return connection -> {
            while (connection.receive() != null) {
                connection.send(answer);
            }
        };
    }

    /** Sends every message back as it came, byte for byte. */
    public static Handler echo() {
        return connection -> {
            for (Message message; (message = connection.receive()) != null; ) {
                connection.send(message);
            }
        };
    }

    /** Reads and forgets every message; answers nothing. */
    public static Handler discard() {
        return connection -> {
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
     */
    public static Handler chat() {
        Group room = new Group("chat");
        return connection -> {
            // Join first: whoever hears "joined" may talk to the newcomer at once, and must reach it.
            room.join(connection);
            room.broadcastExcept(connection,
                    Message.of("* " + connection.id() + " joined from " + Peers.describe(connection)));
            byte[] label = ("[" + connection.id() + "] ").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            try {
                for (Message message; (message = connection.receive()) != null; ) {
                    room.broadcastExcept(connection, message.prefixed(label));
                }
            } finally {
                room.leave(connection);
                room.broadcast(Message.of("* " + connection.id() + " left"));
            }
        };
    }

    /** The handler for a mode name as the command line writes it: ack, echo, chat, discard. */
    public static Handler forMode(String mode, String reply) {
        return switch (mode.toLowerCase(Locale.ROOT)) {
            case "ack" -> ack(reply);
            case "echo" -> echo();
            case "chat" -> chat();
            case "discard" -> discard();
            default -> throw new IllegalArgumentException("unknown mode \"" + mode + "\"; choose ack, echo, chat or discard");
        };
    }
}
