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

    /** Sends every message back as it came. */
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
     * Relays each message to every other member of one shared group, as {@code [ID] text},
     * and announces arrivals and departures. Each call makes a new chat room. Over UDP the
     * members are the peers heard from within the server's session timeout: a peer joins
     * with its first datagram and leaves when it falls silent.
     */
    public static Handler chat() {
        Group room = new Group("chat");
        return connection -> {
            room.broadcast(Message.of("* " + connection.id() + " joined from " + Peers.describe(connection.remote())));
            room.join(connection);
            try {
                for (Message message; (message = connection.receive()) != null; ) {
                    room.broadcastExcept(connection, Message.of("[" + connection.id() + "] " + message.text()));
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
