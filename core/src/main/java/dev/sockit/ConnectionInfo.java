package dev.sockit;

import java.time.Instant;

/**
 * One connection of a cluster as the console lists it: where it is, who it is, how much it
 * carried. Made by the node that holds it, read anywhere.
 *
 * @param id          its node and number
 * @param remote      the peer, as {@link Peers#describe} writes it
 * @param openedAt    when it was accepted
 * @param messagesIn  messages received from the peer
 * @param messagesOut messages sent to the peer
 * @param queuedBytes bytes waiting to be pushed to the peer
 */
public record ConnectionInfo(ConnectionId id, String remote, Instant openedAt, long messagesIn, long messagesOut,
        long queuedBytes) {

    static ConnectionInfo of(ConnectionId id, Connection connection) {
        ConnectionStats stats = connection.stats();
        return new ConnectionInfo(id, Peers.describe(connection.remote()), stats.openedAt(), stats.messagesIn(),
                stats.messagesOut(), stats.queuedBytes());
    }
}
