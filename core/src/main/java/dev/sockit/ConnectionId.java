package dev.sockit;

import java.util.Objects;

/**
 * A connection's name across a cluster: its node and its number there, written
 * {@code node/number} ({@code web-1/42}); a server alone writes the number only ({@code 42}),
 * as it always has. The console's {@code /send} and {@code /kick} take either form, so that a
 * command goes to the one node that holds the connection.
 *
 * @param node   the node's name, or null for this node when the server is alone
 * @param number {@link Connection#id()} on that node
 */
public record ConnectionId(String node, long number) {

    /**
     * Reads {@code 42}, {@code #42} or {@code web-1/42}.
     *
     * @param text the id as written
     * @return the id; without a node part, its node is null
     * @throws IllegalArgumentException naming the text when it is not an id
     */
    public static ConnectionId parse(String text) {
        String id = text.startsWith("#") ? text.substring(1) : text;
        int slash = id.lastIndexOf('/');
        String node = slash < 0 ? null : id.substring(0, slash);
        if (node != null && node.isEmpty()) {
            throw new IllegalArgumentException("\"" + text + "\" has no node before the '/'; write NODE/NUMBER, e.g. web-1/3");
        }
        try {
            long number = Long.parseLong(id.substring(slash + 1));
            if (number < 1) {
                throw new NumberFormatException();
            }
            return new ConnectionId(node, number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a connection id; write a number from /list,"
                    + " e.g. 3, or NODE/NUMBER for a connection on another node, e.g. web-1/3");
        }
    }

    /** {@code node/number}, or {@code number} without a node. */
    @Override
    public String toString() {
        return node == null ? Long.toString(number) : node + "/" + number;
    }

    /** True when the id names node {@code self}, or no node at all. */
    boolean isOn(String self) {
        return node == null || Objects.equals(node, self);
    }
}
