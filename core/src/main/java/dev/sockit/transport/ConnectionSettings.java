package dev.sockit.transport;

import dev.sockit.Heartbeat;
import dev.sockit.Observer;
import dev.sockit.OutboundLimit;
import dev.sockit.framing.Framing;
import java.time.Duration;
import java.util.Objects;

/**
 * What every connection of one server (or one client) shares: how it frames, how it stays
 * alive, how much may queue for it, and who watches it.
 *
 * @param framing   how bytes become messages
 * @param heartbeat pings, idle timeout and TCP keepalive
 * @param outbound  the bound on what may wait to be written, and what happens beyond it
 * @param observer  told of each message received
 * @param writeTimeout how long a write may wait on a peer that reads nothing before the
 *                  connection is closed; {@link Duration#ZERO} for no limit
 * @param clock     what the watchdogs read and schedule on: {@link Clock#SYSTEM} but in tests
 * @param readBudget what the read buffers of all connections sharing these settings may hold together
 * @param room      where idle connections served message by message wait without a thread; null for none
 * @param optionsInherited TCP: the listener carries the socket options each connection would set
 *                  ({@link Tcp#configure}), and its accepted sockets inherit them, so none is set per connection
 * @param busyPollNanos how long a connection whose peer answered within this time checks for its
 *                  next input, on the CPU, before it waits for it; 0: it never does (Intake);
 *                  {@link #AUTOMATIC}: 50 µs for a connection with a thread of its own, none for one
 *                  the waiting room serves in line
 */
public record ConnectionSettings(Framing framing, Heartbeat heartbeat, OutboundLimit outbound, Observer observer,
        Duration writeTimeout, Clock clock, MemoryBudget readBudget, WaitingRoom room, boolean optionsInherited,
        long busyPollNanos) {

    /**
     * The busy poll's default: waking a parked virtual thread costs more CPU than polling
     * through a loopback round trip, and waking the waiting room's thread (an epoll_wait, as
     * Netty's event loop) less, so a connection polls when it has a thread of its own
     * (50 µs) and never when the room serves it in line ({@link #busyPollFor}).
     */
    public static final long AUTOMATIC = -1;
    /** The busy poll of a connection with a thread of its own, by default. */
    private static final long AUTOMATIC_NANOS = 50_000;

    /** Settings whose connections set their own socket options. */
    public ConnectionSettings(Framing framing, Heartbeat heartbeat, OutboundLimit outbound, Observer observer,
            Duration writeTimeout, Clock clock, MemoryBudget readBudget, WaitingRoom room) {
        this(framing, heartbeat, outbound, observer, writeTimeout, clock, readBudget, room, false, AUTOMATIC);
    }

    /** Settings without a waiting room. */
    public ConnectionSettings(Framing framing, Heartbeat heartbeat, OutboundLimit outbound, Observer observer,
            Duration writeTimeout, Clock clock, MemoryBudget readBudget) {
        this(framing, heartbeat, outbound, observer, writeTimeout, clock, readBudget, null);
    }

    /** Settings without a memory budget. */
    public ConnectionSettings(Framing framing, Heartbeat heartbeat, OutboundLimit outbound, Observer observer,
            Duration writeTimeout, Clock clock) {
        this(framing, heartbeat, outbound, observer, writeTimeout, clock, MemoryBudget.UNLIMITED);
    }

    /** Settings on the system clock. */
    public ConnectionSettings(Framing framing, Heartbeat heartbeat, OutboundLimit outbound, Observer observer,
            Duration writeTimeout) {
        this(framing, heartbeat, outbound, observer, writeTimeout, Clock.SYSTEM);
    }

    /** Settings without a write timeout, on the system clock. */
    public ConnectionSettings(Framing framing, Heartbeat heartbeat, OutboundLimit outbound, Observer observer) {
        this(framing, heartbeat, outbound, observer, Duration.ZERO);
    }

    /** These settings with another framing. */
    public ConnectionSettings withFraming(Framing other) {
        return new ConnectionSettings(other, heartbeat, outbound, observer, writeTimeout, clock, readBudget, room,
                optionsInherited, busyPollNanos);
    }

    /** These settings for the sockets of a listener that carries their options: none is set per connection. */
    public ConnectionSettings withOptionsInherited() {
        return new ConnectionSettings(framing, heartbeat, outbound, observer, writeTimeout, clock, readBudget, room, true,
                busyPollNanos);
    }

    /**
     * The busy poll, in nanoseconds, of a connection the waiting room serves in line
     * ({@code servedInLine}) or of one with a thread of its own: the one chosen, or the
     * automatic one's for that kind; 0 for none.
     */
    public long busyPollFor(boolean servedInLine) {
        if (busyPollNanos != AUTOMATIC) {
            return busyPollNanos;
        }
        return servedInLine ? 0 : AUTOMATIC_NANOS;
    }

    /**
     * These settings with connections that busy-poll for this long: {@link Duration#ZERO} never,
     * null {@link #AUTOMATIC}.
     */
    public ConnectionSettings withBusyPoll(Duration busyPoll) {
        return new ConnectionSettings(framing, heartbeat, outbound, observer, writeTimeout, clock, readBudget, room,
                optionsInherited, busyPoll == null ? AUTOMATIC : busyPoll.toNanos());
    }

    public ConnectionSettings {
        Objects.requireNonNull(framing, "framing");
        Objects.requireNonNull(heartbeat, "heartbeat");
        Objects.requireNonNull(outbound, "outbound");
        Objects.requireNonNull(observer, "observer");
        Objects.requireNonNull(writeTimeout, "writeTimeout");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(readBudget, "readBudget");
        if (busyPollNanos < 0 && busyPollNanos != AUTOMATIC) {
            throw new IllegalArgumentException("busy poll must not be negative, not " + busyPollNanos + " ns");
        }
        if (writeTimeout.isNegative()) {
            throw new IllegalArgumentException("write timeout must not be negative, not " + writeTimeout);
        }
        if (heartbeat.pings() && !framing.canPing()) {
            throw new IllegalArgumentException("a heartbeat needs a framing that can ping, and " + framing.name()
                    + " cannot; use the frames framing (--framing frames), or an idle timeout (--idle-timeout)");
        }
    }
}
