package dev.sockit;

import dev.sockit.framing.FramingException;
import dev.sockit.transport.Drainable;
import dev.sockit.transport.Errors;
import dev.sockit.transport.TlsHandshakeException;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The connections a server serves, each run by its handler on a virtual thread of its own:
 * admitted here once built, closed here with the reason their handler ended with, counted
 * into the server's totals as they leave, and drained when the server stops.
 */
final class LiveConnections {

    private final ServerSettings settings;
    private final Admission admission;
    // True once the server stops: a handler interrupted then was cut off, not failed.
    private final BooleanSupplier stopping;
    // Each connection is its own key (hashed by its id: AbstractConnection.hashCode), found by id
    // through a ById: a Long key for each would be 24 bytes more per connection, idle or not.
    private final Map<Object, Drainable> connections = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    // The traffic of connections that have closed; guarded by itself, together with leaving
    // connections, so that stats() counts a closing connection exactly once.
    private final long[] closedTotals = new long[4];
    private final Object drained = new Object();

    LiveConnections(ServerSettings settings, Admission admission, BooleanSupplier stopping) {
        this.settings = settings;
        this.admission = admission;
        this.stopping = stopping;
        if (settings.connection().room() != null) {
            settings.connection().room().onWake(this::resume);
        }
    }

    /** The id for the next connection; ids count the connections accepted. */
    long nextId() {
        return ids.incrementAndGet();
    }

    /** The live connections, a snapshot. */
    Collection<Connection> snapshot() {
        return List.copyOf(connections.values());
    }

    Connection get(long id) {
        return connections.get(new ById(id));
    }

    /**
     * What finds a connection in {@link #connections} by its id: equal to the connection of that
     * id, and hashed as it is. Only ever the argument of a look-up, never a key, so that the map
     * compares with its {@code equals} and never with the connection's (identity).
     */
    private static final class ById {
        private final long id;

        ById(long id) {
            this.id = id;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Drainable connection && connection.id() == id;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(id);
        }
    }

    int size() {
        return connections.size();
    }

    /** True when {@code thread} runs the handler of one of these connections. */
    boolean isHandler(Thread thread) {
        for (Drainable connection : connections.values()) {
            if (connection.handlerThread() == thread) {
                return true;
            }
        }
        return false;
    }

    /** The server's counters: those of closed connections plus those of the live ones, each counted once. */
    ServerStats stats() {
        long messagesIn, messagesOut, bytesIn, bytesOut;
        int open;
        synchronized (closedTotals) {
            messagesIn = closedTotals[0];
            messagesOut = closedTotals[1];
            bytesIn = closedTotals[2];
            bytesOut = closedTotals[3];
            Collection<Drainable> live = List.copyOf(connections.values());
            open = live.size();
            for (Drainable connection : live) {
                ConnectionStats stats = connection.stats();
                messagesIn += stats.messagesIn();
                messagesOut += stats.messagesOut();
                bytesIn += stats.bytesIn();
                bytesOut += stats.bytesOut();
            }
        }
        return new ServerStats(open, ids.get(), admission.rejected(), admission.refused(), messagesIn, messagesOut,
                bytesIn, bytesOut, admission.proxyHeaderRefused());
    }

    /** Sends {@code message} to every live connection; how many it reached. */
    int broadcast(Message message) {
        int reached = 0;
        for (Connection connection : connections.values()) {
            try {
                connection.send(message);
                reached++;
            } catch (IOException gone) {
                // That peer is leaving; its own handler reports why. The others still get it.
            }
        }
        return reached;
    }

    /** Serves {@code connection}, which holds a slot of {@link Admission}, on a virtual thread of its own. */
    void admit(Drainable connection) {
        connections.put(connection, connection);
        run(connection, true);
    }

    /**
     * Serves on a new thread a connection that waited without one in the waiting room
     * ({@link MessageHandler}): its handler goes on with the next message, or sees the end.
     */
    void resume(Drainable connection) {
        run(connection, false);
    }

    private void run(Drainable connection, boolean opening) {
        Thread handler = Thread.ofVirtual().name("sockit-connection-" + connection.id())
                .unstarted(() -> serve(connection, opening));
        connection.handlerThread(handler);
        handler.start();
    }

    private void serve(Drainable connection, boolean opening) {
        CloseReason reason = null;
        boolean waits = false;
        try {
            if (opening) {
                connection.start();
                settings.observer().connected(connection);
            }
            if (settings.handler() instanceof MessageHandler each) {
                // False: it waits in the waiting room now, and resume() goes on from there.
                waits = !connection.serveEach(each);
            } else {
                settings.handler().handle(connection);
            }
        } catch (FramingException e) {
            reason = CloseReason.of(CloseReason.Code.PROTOCOL_ERROR, e.getMessage()).withCloseCode(e.closeCode());
        } catch (TlsHandshakeException e) {
            reason = CloseReason.of(e.timedOut() ? CloseReason.Code.TIMEOUT : CloseReason.Code.PROTOCOL_ERROR, e.getMessage());
            settings.observer().handshakeFailed(connection, reason);
        } catch (ClosedConnectionException e) {
            reason = e.reason();
        } catch (IOException e) {
            reason = CloseReason.of(CloseReason.Code.BROKEN, Errors.describe(e));
        } catch (Throwable t) {
            if (t instanceof InterruptedException && stopping.getAsBoolean()) {
                // The stop cut off a handler that outlived the drain timeout: the shutdown, not a bug.
                reason = CloseReason.of(CloseReason.Code.SHUTDOWN, "server stopping");
            } else {
                reason = CloseReason.of(CloseReason.Code.HANDLER_FAILED, "handler failed: " + t);
                settings.observer().handlerFailed(connection, t);
            }
        } finally {
            if (!waits) {
                end(connection, reason);
            }
        }
    }

    /** The connection's handler is done with it: closed, its slot given back, counted, gone. */
    private void end(Drainable connection, CloseReason reason) {
        if (reason == null) {
            reason = connection.drainReason() != null ? connection.drainReason()
                    : connection.endOfStream() ? CloseReason.peerClosed() : CloseReason.closed();
        }
        connection.close(reason);
        // Release the permit (and the source's slot) here, or the slot is lost and the server fills up for good;
        // and before the connection leaves connections(), so that whoever sees it gone
        // and connects at once is admitted, not told the server is busy.
        admission.releaseSlot(connection.remote());
        synchronized (closedTotals) {
            // Its counters join the totals as it leaves connections(), so stats() sees it once.
            ConnectionStats stats = connection.stats();
            closedTotals[0] += stats.messagesIn();
            closedTotals[1] += stats.messagesOut();
            closedTotals[2] += stats.bytesIn();
            closedTotals[3] += stats.bytesOut();
            connections.remove(connection);
        }
        settings.observer().closed(connection, connection.closeReason());
        synchronized (drained) {
            drained.notifyAll();
        }
    }

    /**
     * Drains every connection for a stop: each handler sees end of stream after the input it
     * already has, so its replies go out. Returns once all have closed, which takes the work
     * left; those still open after {@code drainTimeout} are closed and their handlers
     * interrupted, and waited for at most {@code cutOff} more.
     */
    void drain(Duration drainTimeout, Duration cutOff) {
        CloseReason stopping = CloseReason.of(CloseReason.Code.SHUTDOWN, "server stopping");
        connections.values().forEach(c -> c.drain(stopping));
        if (!awaitDrained(drainTimeout)) {
            // Each close on a thread of its own: one may wait up to its farewell's lock wait
            // and close deadline for a peer that does not read, and waiting for them one
            // after another would make the stop overrun its drain timeout by their sum.
            // Closing wakes a handler blocked on its socket; one blocked on anything else
            // (a lock, a queue, a sleep) needs the interrupt, which a stream connection's
            // reader in its read takes only once the read returned (Drainable.cutOff).
            connections.values().forEach(c -> c.cutOff(stopping));
            awaitDrained(cutOff);
        }
    }

    private boolean awaitDrained(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (drained) {
            while (!connections.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(drained, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }
}
