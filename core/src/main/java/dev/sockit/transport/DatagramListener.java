package dev.sockit.transport;

import dev.sockit.Endpoint;
import dev.sockit.Message;
import dev.sockit.Observer;
import dev.sockit.Peers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * A UDP server's socket and the one loop, on a platform thread of its own, that receives
 * every datagram and hands it to its peer's session — a {@link DatagramConnection} opened on
 * the peer's first datagram and kept until the peer falls silent for the session timeout — so
 * that handlers read a peer's datagrams as they would read a stream.
 *
 * <p>Dropped, and counted in {@link #droppedCount()}: a datagram over the size limit (its
 * sender is told in one datagram {@code error: ...}), one whose session already has
 * {@value DatagramConnection#INBOX_LIMIT} waiting, one that arrives while the server stops.
 * A peer the server refuses (at its connection limit) is not answered at all: a reply to an
 * unverified UDP source address could be used to flood someone else.
 */
public final class DatagramListener implements Listener {

    /** The server's say on each new peer. */
    @FunctionalInterface
    public interface Sessions {
        /**
         * Admits a peer that sent its first datagram: calls {@code create} with a new id and
         * starts the session's handler, or refuses the peer and returns null.
         */
        DatagramConnection open(SocketAddress peer, LongFunction<DatagramConnection> create);
    }

    // When receive fails for no reason we know, wait before trying again rather than spin.
    private static final long RECEIVE_FAILURE_PAUSE_MILLIS = 100;

    private final DatagramPort port;
    private final Endpoint endpoint;
    private final DatagramSettings settings;
    private final Observer observer;
    private final Sessions admission;
    private final Map<SocketAddress, DatagramConnection> sessions = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean released;

    private DatagramListener(DatagramPort port, Endpoint endpoint, DatagramSettings settings,
            Observer observer, Sessions admission) {
        this.port = port;
        this.endpoint = endpoint;
        this.settings = settings;
        this.observer = observer;
        this.admission = admission;
        this.thread = Thread.ofPlatform().name("sockit-receive " + endpoint).daemon(false).unstarted(this::receiveLoop);
    }

    /**
     * Binds a UDP {@code endpoint} and starts receiving.
     *
     * @param settings  for each session: the datagram size limit and the session timeout
     * @param observer  told of datagrams dropped and of receive failures
     * @param admission admits or refuses each new peer
     * @throws IOException saying why the endpoint cannot be bound
     */
    public static DatagramListener start(Endpoint endpoint, DatagramSettings settings, Observer observer,
            Sessions admission) throws IOException {
        DatagramChannel channel = Udp.bind(endpoint);
        int port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
        DatagramListener listener = new DatagramListener(DatagramPort.of(channel), endpoint.withPort(port), settings,
                observer, admission);
        listener.thread.start();
        return listener;
    }

    /**
     * Binds a Unix datagram {@code endpoint} ({@code unixgram:PATH} or {@code unixgram:@NAME})
     * and starts receiving; its sessions are as UDP's, one per sending socket's name.
     *
     * @param socketMode who may send to the socket file; ignored for an abstract name
     * @throws IOException saying why the endpoint cannot be bound
     */
    public static DatagramListener startUnix(Endpoint endpoint, Set<PosixFilePermission> socketMode,
            DatagramSettings settings, Observer observer, Sessions admission) throws IOException {
        DatagramListener listener = new DatagramListener(UnixDatagramPort.bind(endpoint, socketMode), endpoint, settings,
                observer, admission);
        listener.thread.start();
        return listener;
    }

    @Override
    public Endpoint endpoint() {
        return endpoint;
    }

    /** Datagrams dropped so far: over the size limit, behind a full inbox, or arriving while stopping. */
    public long droppedCount() {
        return dropped.get();
    }

    private void receiveLoop() {
        // One byte more than the limit: a datagram that fills it was longer than allowed (the
        // kernel cuts what does not fit, so its true length is unknown).
        ByteBuffer buffer = ByteBuffer.allocateDirect(settings.maxDatagram() + 1);
        for (;;) {
            buffer.clear();
            SocketAddress peer;
            try {
                peer = port.receive(buffer);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (released) {
                    return;
                }
                observer.acceptFailed(e);
                if (!pause()) {
                    return;
                }
                continue;
            }
            buffer.flip();
            try {
                if (closed) {
                    dropped.incrementAndGet(); // stopping: the sessions finish what they have
                } else if (buffer.remaining() > settings.maxDatagram()) {
                    refuseTooLong(peer);
                } else {
                    dispatch(peer, Message.copyOf(buffer, 0, buffer.remaining()));
                }
            } catch (RuntimeException e) {
                // An observer's bug, or a session that could not open: this loop serves every
                // peer, so it reports the failure and goes on with the next datagram.
                observer.acceptFailed(e);
            }
        }
    }

    private void dispatch(SocketAddress peer, Message datagram) {
        DatagramConnection session = sessions.get(peer);
        DatagramInbox.Delivery delivery = session == null ? DatagramInbox.Delivery.ENDED
                : session.deliver(datagram);
        if (delivery == DatagramInbox.Delivery.ENDED) {
            // The peer's first datagram, or its last session has just ended: open a new one.
            if (session != null) {
                sessions.remove(peer, session);
            }
            session = admission.open(peer, id -> newSession(id, peer));
            if (session == null) {
                return; // refused: the server counted and reported it
            }
            delivery = session.deliver(datagram);
        }
        if (delivery != DatagramInbox.Delivery.ACCEPTED) {
            dropped.incrementAndGet();
            observer.datagramDropped(peer, "datagram from " + Peers.describe(peer) + " dropped: "
                    + DatagramConnection.INBOX_LIMIT + " datagrams from it are already waiting for the handler");
        }
    }

    private DatagramConnection newSession(long id, SocketAddress peer) {
        try {
            DatagramConnection session = DatagramConnection.session(id, port, peer, settings, observer,
                    closed -> sessions.remove(closed.remote(), closed));
            // Known before its handler starts, so that a handler that ends at once is forgotten at once.
            sessions.put(peer, session);
            return session;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void refuseTooLong(SocketAddress peer) {
        dropped.incrementAndGet();
        int limit = settings.maxDatagram();
        observer.datagramDropped(peer, "datagram of more than " + limit + " bytes from " + Peers.describe(peer)
                + " dropped: over the limit of " + limit + " bytes (raise it with --max-datagram)");
        // Smaller than what it answers, so it cannot be used to amplify a flood.
        ByteBuffer error = ByteBuffer.wrap(Message.of("error: datagram longer than " + limit + " bytes; dropped").bytes());
        try {
            port.send(error, peer);
        } catch (IOException ignored) {
            // The sender is told as a courtesy; the drop is counted and reported either way.
        }
    }

    private boolean pause() {
        try {
            Thread.sleep(RECEIVE_FAILURE_PAUSE_MILLIS);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** Stops taking datagrams: from now on they are dropped. The sessions can still reply. */
    @Override
    public void close() {
        closed = true;
    }

    /** Closes the socket, once the sessions are closed, and waits for the receive thread to end. */
    @Override
    public void release() {
        closed = true;
        released = true;
        port.close();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
