package dev.sockit;

/**
 * A server's counters at one moment: connections now and since it started, and the traffic
 * of every connection it has served, closed ones included.
 *
 * <pre>{@code
 * ServerStats stats = server.stats();
 * System.out.println(stats.open() + " open, " + stats.messagesIn() + " messages in");
 * }</pre>
 *
 * @param open        connections open now
 * @param accepted    connections admitted since the server started (those refused are not)
 * @param rejected    peers turned away at a connection limit: the total, or the most from one address
 * @param refused     peers refused by the access policy ({@code --allow}, {@code --deny}), closed unanswered
 * @param messagesIn  messages received, by all connections
 * @param messagesOut messages sent, by all connections
 * @param bytesIn     bytes read from all sockets
 * @param bytesOut    bytes written to all sockets
 * @param proxyHeaderRefused connections from a trusted proxy refused for their PROXY header (malformed,
 *                    of a version not accepted, over the cap, missing, or not whole in time), closed unserved
 */
public record ServerStats(int open, long accepted, long rejected, long refused, long messagesIn, long messagesOut, long bytesIn,
        long bytesOut, long proxyHeaderRefused) {}
