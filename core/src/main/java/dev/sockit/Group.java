package dev.sockit;

import dev.sockit.cluster.Broker;
import dev.sockit.framing.MessageTooLongException;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A named set of connections to push to: a chat room, the subscribers of a topic. Members
 * leave when they close: a closed connection is never among {@link #members()}, never
 * counted and never sent to, whether or not anything was broadcast since. A broadcast sends
 * to each member in turn; a member whose send fails is dropped from the group and the others
 * still get the message. A member that reads more slowly than the group is sent to slows the
 * sender (see {@link OutboundLimit}); one that stops reading is disconnected ("not reading").
 *
 * <pre>{@code
 * Group room = new Group("lobby");
 * room.join(connection);
 * room.broadcast(Message.of("hello, all"));
 * }</pre>
 *
 * <p>Made with a {@link Broker} that spans nodes, a group spans them too: the groups of that
 * name on every node are one group, and a broadcast reaches the members of each (those of
 * other nodes at most once, in the order this node's sending thread sent). A member joins the
 * group of its own node; {@link #members()} and {@link #size()} count this node's.
 */
public final class Group implements AutoCloseable {

    private final String name;
    private final Set<Connection> members = ConcurrentHashMap.newKeySet();
    private final Broker broker;
    private final String topic;
    private final Broker.Subscription subscription;

    /**
     * An empty group on this server alone.
     *
     * @param name for logs, e.g. {@code lobby}
     */
    public Group(String name) {
        this(name, Broker.standalone());
    }

    /**
     * An empty group that spans the nodes of {@code broker}'s cluster: what one node broadcasts
     * reaches the members on every node, as long as {@link #close()} is not called.
     *
     * @param name    the group's name, the same on every node: it names the topic {@code group/NAME}
     * @param broker  the cluster's broker, or {@link Broker#standalone()}
     */
    public Group(String name, Broker broker) {
        this.name = name;
        this.broker = broker;
        this.topic = "group/" + name;
        this.subscription = broker.spansNodes()
                ? broker.subscribe(topic, (from, payload) -> broadcastHere(null, Message.of(payload))) : null;
    }

    /** {@return the group's name} */
    public String name() {
        return name;
    }

    /**
     * Adds a connection; one already closed does not join. Any thread.
     *
     * @param connection the connection to add; joining twice is joining once
     */
    public void join(Connection connection) {
        pruneClosed();
        if (connection.isOpen()) {
            members.add(connection);
        }
    }

    /**
     * Removes a connection; does nothing if it was not a member. A closed member leaves by itself.
     *
     * @param connection the connection to remove
     */
    public void leave(Connection connection) {
        members.remove(connection);
    }

    /** {@return the open members of this node now}, a snapshot. */
    public Set<Connection> members() {
        pruneClosed();
        return Set.copyOf(members);
    }

    /** {@return how many open members this node has now} */
    public int size() {
        pruneClosed();
        return members.size();
    }

    // A connection tells no one when it closes, so the group looks whenever it is asked:
    // what it reports is then always true, and a closed member is held only until then.
    private void pruneClosed() {
        members.removeIf(member -> !member.isOpen());
    }

    /**
     * Sends to every member, on every node.
     *
     * @param message the message
     * @return how many members of this node it reached
     */
    public int broadcast(Message message) {
        return broadcastExcept(null, message);
    }

    /**
     * Sends to every member but {@code sender}, on every node: how a chat room relays what one
     * member says.
     *
     * @param sender  the member not to send to, or {@code null} for none
     * @param message the message
     * @return how many members of this node it reached
     */
    public int broadcastExcept(Connection sender, Message message) {
        int reached = broadcastHere(sender, message);
        if (subscription != null) {
            broker.publish(topic, message.bytes());
        }
        return reached;
    }

    /**
     * {@return {@code connection}'s name across the group's cluster}: {@code node/number}, or the number alone.
     *
     * @param connection a connection of this node
     */
    public ConnectionId id(Connection connection) {
        return Cluster.idOf(broker, connection);
    }

    private int broadcastHere(Connection sender, Message message) {
        int reached = 0;
        for (Connection member : members) {
            if (member == sender) {
                continue;
            }
            if (!member.isOpen()) {
                members.remove(member);
                continue;
            }
            try {
                member.send(message);
                reached++;
            } catch (MessageTooLongException tooLong) {
                // This message cannot go to this member (a datagram has a size limit); the
                // member itself is still there and gets the next one.
            } catch (IOException gone) {
                // A member that cannot be written to has left, whatever it still thinks.
                members.remove(member);
            }
        }
        return reached;
    }

    /** Stops taking what other nodes send to this group; its members here stay. */
    @Override
    public void close() {
        if (subscription != null) {
            subscription.close();
        }
    }

    @Override
    public String toString() {
        return "group " + name + " (" + size() + " members)";
    }
}
