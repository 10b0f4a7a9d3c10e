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
 * @param rejected    peers turned away at the connection limit
 * @param messagesIn  messages received, by all connections
 * @param messagesOut messages sent, by all connections
 * @param bytesIn     bytes read from all sockets
 * @param bytesOut    bytes written to all sockets
 */
public record ServerStats(int open, long accepted, long rejected, long messagesIn, long messagesOut, long bytesIn,
        long bytesOut) {}
