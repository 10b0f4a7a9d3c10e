package dev.sockit.bench;

import dev.sockit.Endpoint;
import java.io.IOException;

/**
 * A line echo server that can also push one line to every connection at once: what
 * bench/broadcast.sh times. Each implementation pushes the way its framework's users do —
 * sockit through a {@link dev.sockit.Group}, Netty through a {@code ChannelGroup} — and, like
 * the raced {@link LineServer}s, answers every line it is sent with the line itself.
 */
public interface PushServer extends AutoCloseable {

    /**
     * Starts the push server of this kind, {@code sockit}, {@code netty}, {@code sockit-cluster}
     * (two sockit nodes on Redis; see {@link ClusterPushServer}) or {@code plain} (the floor: one
     * thread writing to each connection in turn; see {@link PlainPushServer}).
     *
     * @throws IllegalArgumentException for an unknown kind
     * @throws IOException              saying why it cannot listen
     */
    static PushServer start(String kind, Endpoint endpoint) throws IOException {
        return switch (kind) {
            case "sockit" -> SockitPushServer.start(endpoint);
            case "netty" -> NettyPushServer.start(endpoint);
            case "sockit-cluster" -> ClusterPushServer.start(endpoint);
            case "plain" -> PlainPushServer.start(endpoint);
            default -> throw new IllegalArgumentException("unknown push server \"" + kind + "\"; choose sockit, netty,"
                    + " sockit-cluster or plain");
        };
    }

    /** The port it listens on: the one the system chose, for port 0. */
    int port();

    /** The second node's port, for a server of two nodes; -1 for one. */
    default int secondPort() {
        return -1;
    }

    /** How many connections a push would go to now. */
    int members();

    /**
     * Sends {@code line} (without its newline, which the server adds) to every connection;
     * returns once each has it queued, not when it has been written.
     */
    void push(String line);

    /** Stops accepting and closes every connection. */
    @Override
    void close();
}
