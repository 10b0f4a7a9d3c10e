package dev.sockit.transport;

import dev.sockit.CloseReason;
import dev.sockit.ClosedConnectionException;
import dev.sockit.Message;
import dev.sockit.MessageHandler;
import dev.sockit.Peers;
import dev.sockit.framing.Framing;
import dev.sockit.framing.FramingException;
import dev.sockit.framing.Raw;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.LockSupport;

/**
 * A stream connection's parts, wired together, and its per-message path over them: receive,
 * send and flush. {@link SocketConnection}, its one kind, adds how the connection is made,
 * starts and ends; the path lives apart from all that so that it stays one direct call into
 * the parts, with nothing in between.
 *
 * <pre>
 * Intake       the read buffer and the pacing of reads (quiet buffer, growth, spin, yield), drain
 * Output       the write buffer under the write lock; batches; the only place that writes
 * Pusher       what other threads send: the overflow policy over an Outbox (bounded, reserved
 *              atomically, with a real signal), written by one drainer
 * Watchdogs    heartbeat, idle timeout and write timeout, on one injectable Clock
 * Closer       farewell, linger, release
 * PeerControl  pings answered, pongs timed, the peer's farewell kept
 * </pre>
 *
 * {@code receive()} decodes from the read buffer; with nothing whole there it flushes the
 * replies, then reads once. {@code send()} by the reader encodes into the write buffer and
 * writes now, unless the reader has more input to work through (then its next wait flushes
 * the whole batch in one write). Sends from any other thread join the outbox.
 *
 * <p>Served by a {@link MessageHandler} ({@link #serveEach}), a plain TCP or WebSocket connection whose peer
 * has been silent for its {@link WaitingRoom}'s delay waits there without a thread: channel
 * non-blocking, registered for reading, read buffer given up. An idle one (new, or back from
 * the room, or its last wait a second or more) is registered from the start of its wait, its
 * reader parked until the room hands it back or the delay passes ({@link #awaitInRoom}); a
 * quiet one goes in when its timed read ends ({@link #enterRoom}). Every write wakes it first
 * ({@link Output} asks {@link #awaken}), and so does every close, so that the socket is written
 * and closed in blocking mode only, and its reader (the parked one, or a new one) ends what was
 * ended.
 */
abstract sealed class StreamCore extends AbstractConnection implements Discardable permits SocketConnection {

    final SocketChannel channel;
    // Null for plain TCP and Unix, whose reads and writes go to the channel itself: only TLS
    // connections pay for the wrapper.
    final TlsChannel tls;
    // The framing, or a slot an opening fills (WebSocket): the parts hold the slot and follow it.
    final FramingSlot framing;
    // Replaced once, by start(), when an opening chose the framing; read by the reader only.
    Framing.Decoder decoder;
    // Shared by every connection of the server (or client): its observer and busy poll are read
    // from here, one field rather than one for each.
    private final ConnectionSettings settings;

    final Intake intake;
    final Output output;
    final Pusher pusher;
    final Watchdogs watchdogs;
    // Made by the first close (closer()): most of a connection's life it is not closing, and
    // 10,000 idle connections would hold 400 KB of closers.
    private volatile Closer closerMade;
    final PeerControl control;

    volatile Thread reader;
    volatile long messagesIn;
    volatile boolean outputShut;

    // Where this connection may wait without a thread; null: it never does.
    private final WaitingRoom room;
    // The handler the room's thread serves this connection's messages with, without waking a
    // thread (serveInline); null: the room only wakes one. Set by serveEach for a handler that
    // never waits (InlineSafe), on plain TCP or a WebSocket over it.
    private volatile MessageHandler inlineHandler;
    // When the room last wrote its replies in line: by the room's thread only.
    private long inlineWrote;
    // Its end was read in the room: never served in line again (its thread reads the end).
    private boolean inlineOff;
    // Off (-Ddev.sockit.inline=false): every message wakes the connection's thread, as before,
    // for a benchmark to race the two.
    static final boolean INLINE = Boolean.parseBoolean(System.getProperty("dev.sockit.inline", "true"));
    // True while it waits in the room (channel non-blocking, no thread): set by the reader under
    // the output lock, cleared by the room's thread, which then notifies this object's monitor.
    private volatile boolean waiting;
    // Set by awaken() before it calls the room, cleared by the next enterRoom(): a call can reach
    // the room before the connection's arrival does, and the room then takes it out on arrival.
    volatile boolean called;
    // The reader parked while the connection waits in the room (awaitInRoom), to which the room
    // hands it back; null when no thread waits for it (the room then starts one). Cleared once,
    // by whichever comes first (PARKED): the room letting go, or the reader leaving at its delay.
    private volatile Thread parked;
    // Why the room let the connection go: input (or its end) to read, rather than a writer's or
    // a closer's call. Written by the room's thread before it clears `parked`, read by the
    // parked reader after it saw that.
    boolean readable;
    private static final VarHandle PARKED;
    private static final VarHandle CLOSER_MADE;
    // What receive() returns to serveEach() when the peer was silent for the room's delay: the
    // connection goes in (WAIT), or is in already, its reader gone (LEFT).
    private static final Message WAIT = Message.of(new byte[0]);
    private static final Message LEFT = Message.of(new byte[0]);

    static {
        try {
            PARKED = MethodHandles.lookup().findVarHandle(StreamCore.class, "parked", Thread.class);
            CLOSER_MADE = MethodHandles.lookup().findVarHandle(StreamCore.class, "closerMade", Closer.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    // The reader of a connection in the waiting room: no thread is, and a close from another
    // thread must not linger (read) in its place. Never started; it keeps no ended thread alive.
    private static final Thread NO_READER = Thread.ofVirtual().unstarted(() -> {});

    StreamCore(long id, String protocol, SocketAddress local, SocketAddress remote, SocketChannel channel,
            TlsChannel tls, FramingSlot framing, ConnectionSettings settings) throws IOException {
        super(id, protocol, local, remote);
        this.channel = channel;
        this.tls = tls;
        this.framing = framing;
        this.settings = settings;
        this.room = settings.room();
        Hooks hooks = new Hooks();
        this.watchdogs = new Watchdogs(settings.heartbeat(), settings.writeTimeout(), settings.clock(), hooks);
        this.output = new Output(channel, tls, framing, watchdogs, hooks);
        this.intake = new Intake(channel, tls, hooks, settings.readBudget());
        this.pusher = new Pusher(framing, settings.outbound(), settings.observer(), output, hooks);
        this.control = new PeerControl(this);
        this.decoder = framing.decoder(control);
    }

    @Override
    public Message receive() throws IOException {
        try {
            return receiveOrFail();
        } catch (FramingException e) {
            // Closed here with the framing's own code (WebSocket's 1002, 1007, 1009), as the
            // server closes its peers: a client whose caller then closes must not tell the
            // peer 1000, all was well.
            close(CloseReason.of(CloseReason.Code.PROTOCOL_ERROR, e.getMessage()).withCloseCode(e.closeCode()));
            throw e;
        }
    }

    private Message receiveOrFail() throws IOException {
        reader = Thread.currentThread();
        for (;;) {
            if (intake.buffer().hasRemaining()) {
                Message message = decoder.decode(intake.buffer());
                if (message != null) {
                    return received(message);
                }
            }
            if (intake.endOfStream() || control.farewell() != null) {
                intake.markEnded();
                // What is left is a whole last message only when the peer ended its stream as
                // it meant to: not when we stopped reading (a drain, a close), nor when a TLS
                // peer's stream was cut without close_notify.
                boolean cut = !isOpen() || control.farewell() != null || intake.drainReason() != null
                        || (tls != null && tls.truncated());
                Message last = cut ? null : decoder.finish(intake.buffer());
                return last == null ? null : received(last);
            }
            if (!isOpen()) {
                return endedUnderReader();
            }
            // Nothing whole is buffered: the replies to everything consumed so far leave now,
            // in one write, before we wait for more.
            flush();
            int n = readMore();
            if (n == Intake.SILENT) {
                return WAIT;
            }
            if (n == Intake.GONE) {
                return LEFT; // another thread may serve it now: nothing more here
            }
            if (!isOpen()) {
                return endedUnderReader(); // what this read brought came after the close: not delivered
            }
        }
    }

    /**
     * The connection closed while this reader read or was away: a close from another thread
     * left it the rest (lingering for the peer's end, the socket's close), which it does now;
     * then the stream ends here.
     */
    private Message endedUnderReader() {
        closer().finishOnReader();
        intake.markEnded();
        return null;
    }

    /**
     * True when a close by this thread must leave the lingering and the socket's close to the
     * connection's reader: another thread reads it, or will (one waiting in the room is given a
     * thread). With no reader yet, the closing thread does it all.
     */
    final boolean readerElsewhere() {
        Thread current = reader;
        return current != null && current != Thread.currentThread();
    }

    /**
     * Reads once; a broken socket closes the connection, and the loop then sees its end.
     * Returns what {@link Intake#fill} returned, or 0 after a failure.
     */
    private int readMore() throws IOException {
        try {
            int n = intake.fill();
            if (n == Intake.GONE) {
                return n; // left in the waiting room: another thread may serve it now, touch nothing
            }
            if (n >= 0) {
                watchdogs.heard();
            }
            return n;
        } catch (MemoryBudget.Exceeded full) {
            // The peer is told why and closed; the server goes on serving everyone else.
            throw new ClosedConnectionException(toString(), CloseReason.of(CloseReason.Code.LIMIT, full.getMessage()));
        } catch (IOException broken) {
            close(CloseReason.of(CloseReason.Code.BROKEN,
                    broken instanceof TlsHandshakeException ? broken.getMessage() : Errors.describe(broken)));
        }
        return 0;
    }

    /**
     * Serves {@code handler} message by message; a plain TCP or WebSocket connection of a server with a
     * waiting room waits there once its peer has been silent for the room's delay, with
     * nothing buffered (no partial message), and this thread ends (false).
     */
    @Override
    public boolean serveEach(MessageHandler handler) throws Exception {
        // TCP, and a WebSocket over it once upgraded (a message's fragments and its inflater live
        // in the decoder, not on the stack); TLS and Unix have no timed wait here.
        if (room == null || tls != null || !("tcp".equals(protocol()) || "ws".equals(protocol())) || !room.open()) {
            handler.handle(this);
            return true;
        }
        intake.waitAtMost(room.after()); // restores the read buffer, when this thread follows a wait in the room
        if (INLINE && handler instanceof InlineSafe && !inlineOff) {
            inlineHandler = handler;
        }
        for (;;) {
            Message message = receive();
            if (message == LEFT) {
                return false;
            } else if (message == WAIT) {
                if (enterRoom()) {
                    return false;
                }
            } else if (message == null) {
                return true;
            } else {
                handler.onMessage(this, message);
            }
        }
    }

    /**
     * Hands this connection to the waiting room, unless it is closing or draining (then the
     * reader goes on and sees its end). Under the output lock, so that no write is under way
     * when the channel turns non-blocking, and every later one wakes it first ({@link #awaken}).
     * After a true return this thread must not touch the connection: the room may already
     * have given it to another.
     */
    private boolean enterRoom() {
        output.lock();
        try {
            if (!isOpen() || intake.drainReason() != null || !room.open()) {
                return false;
            }
            channel.configureBlocking(false);
            called = false; // an old call, answered already; a new one comes after this, under the lock or seeing waiting
            waiting = true;
        } catch (IOException closedMeanwhile) {
            return false; // the next read sees it
        } finally {
            output.unlock();
        }
        intake.giveUpBuffer();
        // Let the ending thread go: its object, name and task are most of what is left of it.
        reader = NO_READER;
        handlerThread(null);
        if (!room.enter(this)) {
            reader = Thread.currentThread();
            handlerThread(Thread.currentThread());
            leftRoom(); // the room closed meanwhile: read on in this thread
            intake.waitAtMost(room.after());
            return false;
        }
        leaveForDrain();
        return true;
    }

    /**
     * Just in the room: a drain that came while it went in, and did not see it there, is
     * answered now (the connection leaves, and its reader ends it). A drain that sees it
     * there calls it out itself ({@link #drainFor}); one of the two does, or both (a second
     * call finds it gone, and does nothing).
     */
    private void leaveForDrain() {
        if (intake.drainReason() != null) {
            called = true;
            room.call(this);
        }
    }

    /**
     * The reader's idle wait, in the waiting room from its start (see {@link Intake.Owner#awaitInRoom}):
     * under the output lock, so that no write is under way, the channel turns non-blocking, what
     * has come is read at once, and if nothing has, the connection is registered and this thread
     * parks until the room hands it back (input, or a writer's or a closer's call: then it
     * waits again, for what is left of the delay) or the delay passes. Closing, draining, or the
     * room closed: {@link Intake#READ}, the blocking read sees why.
     */
    private int awaitInRoom(ByteBuffer in) throws IOException {
        Thread me = Thread.currentThread();
        long deadline = System.nanoTime() + room.after().toNanos();
        boolean interrupted = false;
        try {
            for (;;) {
                output.lock();
                try {
                    if (!isOpen() || intake.drainReason() != null || !room.open()) {
                        return Intake.READ;
                    }
                    channel.configureBlocking(false);
                    int n;
                    try {
                        n = channel.read(in);
                    } catch (IOException broken) {
                        blockAgain();
                        throw broken;
                    }
                    if (n != 0) {
                        channel.configureBlocking(true);
                        return n;
                    }
                    called = false; // an old call, answered already; a new one comes after this, under the lock or seeing waiting
                    parked = me;
                    waiting = true;
                } finally {
                    output.unlock();
                }
                if (!room.enter(this)) {
                    parked = null;
                    leftRoom(); // the room closed meanwhile: read on in this thread
                    return Intake.READ;
                }
                leaveForDrain();
                boolean calledOut = false;
                while (parked == me) {
                    if (Thread.interrupted()) {
                        interrupted = true;
                    }
                    if (interrupted && !calledOut) {
                        // Cut off (a stop's last resort): out of the room, and the read that follows
                        // meets the interrupt as a blocking read would have.
                        calledOut = true;
                        called = true;
                        room.call(this);
                    }
                    long left = deadline - System.nanoTime();
                    if (interrupted) {
                        LockSupport.park(this);
                    } else if (left > 0) {
                        LockSupport.parkNanos(this, left);
                    } else {
                        return Intake.SILENT; // still in the room: leaveRoom() follows
                    }
                }
                if (readable || interrupted) {
                    return Intake.READ;
                }
                // A writer or a closer took it out: in again, once it is done (the output lock).
            }
        } finally {
            if (interrupted) {
                me.interrupt();
            }
        }
    }

    /**
     * The reader's idle wait in the room passed its delay ({@link Intake#SILENT}), and its
     * buffer is given up: it leaves the connection there without a thread ({@link Intake#GONE}),
     * unless the room let it go meanwhile ({@link Intake#READ} for input, {@link Intake#AGAIN}
     * for a call). After {@code GONE} this thread must not touch the connection: the room may
     * already have given it to a new one.
     */
    private int leaveRoom() {
        Thread me = Thread.currentThread();
        // Let the ending thread go: its object, name and task are most of what is left of it.
        reader = NO_READER;
        handlerThread(null);
        if (PARKED.compareAndSet(this, me, null)) {
            return Intake.GONE;
        }
        reader = me;
        handlerThread(me);
        return readable ? Intake.READ : Intake.AGAIN;
    }

    /**
     * On the room's thread, the connection readable and non-blocking, no thread of its own:
     * reads what came into {@code scratch} (the room's, shared by all it serves), hands each
     * whole message to the handler, and writes the replies without waiting, from
     * {@code replies} (the room's too) while they fit there. True: served, it
     * stays in the room. False: it must leave for a thread of its own (no handler to serve in
     * line, another thread holds its output, a partial message or unwritten replies are left,
     * the end of its stream), with what was read and not served kept in its read buffer.
     */
    final boolean serveInline(ByteBuffer scratch, ByteBuffer replies) {
        MessageHandler handler = inlineHandler;
        if (handler == null || parked != null || !output.tryLockNow()) {
            return false;
        }
        Thread me = Thread.currentThread();
        boolean stuck = false;
        try {
            if (!isOpen() || intake.drainReason() != null || control.farewell() != null) {
                return false;
            }
            scratch.clear();
            int n;
            try {
                n = channel.read(scratch);
            } catch (IOException broken) {
                inlineHandler = null; // its thread's blocking read meets it again, and closes
                inlineOff = true;
                return false;
            }
            if (n < 0) {
                // The end: its thread reads it. Not back here, where FIONREAD cannot tell the end
                // from silence, and the end would be found readable again at once.
                inlineHandler = null;
                inlineOff = true;
                return false;
            }
            if (n == 0) {
                return true; // a spurious wake-up
            }
            // How long the peer took to speak after the last replies went: with a busy poll for
            // what the room serves (none unless one is chosen), a quick one is served faster by a
            // thread that spins for its next message (Intake).
            long waited = System.nanoTime() - inlineWrote;
            intake.countIn(n);
            watchdogs.heard();
            scratch.flip();
            reader = me;
            output.inline = true;
            output.lend(replies);
            try {
                Message message;
                while ((message = decoder.decode(scratch)) != null) {
                    handler.onMessage(this, received(message));
                }
            } catch (IOException failed) {
                // A line too long (the decoder leaves it where it lies), a send to a closed
                // connection: its own thread meets the same again, and ends the connection.
                stuck = true;
            } catch (Exception failed) {
                settings.observer().handlerFailed(this, failed);
                closeElsewhere(CloseReason.of(CloseReason.Code.HANDLER_FAILED, "handler failed: " + failed));
                stuck = true;
            } finally {
                output.inline = false;
                reader = NO_READER;
            }
            boolean written;
            try {
                written = output.writeWithoutWaiting();
            } catch (IOException broken) {
                closeElsewhere(CloseReason.of(CloseReason.Code.BROKEN, Errors.describe(broken)));
                return true; // the close calls it out
            }
            boolean quick = written && waited < settings.busyPollFor(true);
            if (scratch.hasRemaining() || stuck || control.farewell() != null || quick) {
                try {
                    intake.keep(scratch, waited);
                } catch (MemoryBudget.Exceeded full) {
                    closeElsewhere(CloseReason.of(CloseReason.Code.LIMIT, full.getMessage()));
                    return true; // the close calls it out
                }
                return false;
            }
            if (written) {
                inlineWrote = System.nanoTime();
            }
            return written;
        } finally {
            // A connection in the room holds no buffers between its messages; one that leaves
            // takes what the socket did not take in a buffer of its size.
            output.giveBack();
            output.unlock();
        }
    }

    /**
     * The room let this connection go (its channel blocking again): its parked reader takes it
     * back, and finds why in {@link #readable}. False when no reader waits for it (or its delay
     * passed and it left): the room then starts a new one.
     */
    final boolean handBack() {
        Thread waiter = parked;
        if (waiter == null || !PARKED.compareAndSet(this, waiter, null)) {
            return false;
        }
        LockSupport.unpark(waiter);
        return true;
    }

    /**
     * A stop's drain, from the stopping thread: the reader takes what the kernel held now,
     * then sees end of stream, without the input being shut down (the kernel would answer the
     * peer's later bytes with a reset once our output ended). A reader waiting in its read with
     * nothing to take is woken by the end of the connection, which starts here: the farewell
     * and our end of the stream, then the reader's linger once the peer answers (its end, or
     * bytes it sent meanwhile), or the timer's close a second later. One waiting in the room is
     * called out, and its reader sees the end. One that has not begun to read (a TLS handshake,
     * a handler before its first receive) has its input shut down, as before.
     */
    final void drainFor(CloseReason reason) {
        if (intake.drain(reason)) {
            closeElsewhere(reason);
        } else if (waiting) {
            called = true;
            room.call(this);
        } else if (reader == null) {
            intake.shutDownInput();
        }
    }

    /**
     * A stop's cut-off, after the drain timeout: the close (its reason set at once, so that the
     * reader, interrupted or not, finds the connection closed), and the interrupt of the
     * handler's thread for whatever else it waits on. A handler that reads this connection is
     * interrupted only once the close said its farewell, so that none of its writes is under
     * way (its later sends fail, as the connection is closed), and not while it waits in the
     * socket's read, which the close ends: the interrupt then comes when the read returns. An
     * interrupted channel read or write closes the socket at once, with input unread.
     */
    final void cutOffFor(CloseReason reason) {
        Thread handler = handlerThread();
        boolean mine = closing(reason);
        if (handler == null || handler != reader) {
            if (mine) {
                Thread.ofVirtual().name("sockit-close-" + id()).start(() -> closer().close(reason, readerElsewhere()));
            }
            if (handler != null) {
                handler.interrupt();
            }
            return;
        }
        Thread.ofVirtual().name("sockit-close-" + id()).start(() -> {
            if (mine) {
                closer().close(reason, true); // the reader is the handler's thread, not this one
            } else {
                closer().awaitSaid();
            }
            if (!intake.deferInterrupt()) {
                handler.interrupt();
            }
        });
    }

    /** How this connection ends: one {@link Closer}, made by the first to need it. */
    final Closer closer() {
        Closer closer = closerMade;
        if (closer == null) {
            Closer made = new Closer(channel, tls, framing, output, pusher, watchdogs, intake);
            closer = CLOSER_MADE.compareAndSet(this, null, made) ? made : closerMade;
        }
        return closer;
    }

    /** True on the connection's reader thread. */
    final boolean onReader() {
        return Thread.currentThread() == reader;
    }

    /** True while this connection waits in its server's waiting room (its reader, if any, parked there); for tests. */
    public final boolean waitsWithoutThread() {
        return waiting;
    }

    /** The channel blocks again, if it is still open: a broken one is closed next, and says so. */
    private void blockAgain() {
        try {
            channel.configureBlocking(true);
        } catch (IOException closed) {
            // Closed: nothing blocks on it any more.
        }
    }

    /** The room's thread took this connection out: blocking again, and whoever waited for it goes on. */
    final void leftRoom() {
        try {
            channel.configureBlocking(true);
        } catch (IOException closed) {
            // Closed while it waited: the new thread's read says so.
        }
        synchronized (this) {
            waiting = false;
            notifyAll();
        }
    }

    /**
     * Takes this connection out of the waiting room, if it waits there, and returns once its
     * channel blocks again (its new reader is then on its way): writes and closes call it.
     *
     * @throws InterruptedIOException when interrupted while the room lets it go
     */
    final void awaken() throws InterruptedIOException {
        if (!waiting) {
            return;
        }
        called = true;
        room.call(this);
        synchronized (this) {
            while (waiting) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while " + this + " left the waiting room");
                }
            }
        }
    }

    /**
     * {@link dev.sockit.Handlers#discard()} over raw: the loop of {@link #receiveOrFail} without the
     * decoder. What a read brought is one raw message, counted, then dropped where it lies.
     */
    @Override
    public boolean discardInput() throws IOException {
        if (!(framing.current() instanceof Raw)) {
            return false;
        }
        reader = Thread.currentThread();
        intake.discarding();
        for (;;) {
            ByteBuffer in = intake.buffer();
            if (in.hasRemaining()) {
                // Made only for an observer that looks at it (the command's --show-messages).
                if (settings.observer().watchesMessages()) {
                    settings.observer().received(this, Message.copyOf(in, in.position(), in.remaining()));
                }
                in.position(in.limit());
                messagesIn++;
                intake.tookMessage();
            }
            if (intake.endOfStream() || control.farewell() != null) {
                intake.markEnded();
                return true;
            }
            if (!isOpen()) {
                endedUnderReader();
                return true;
            }
            flush(); // pushes from other threads still leave
            readMore();
        }
    }

    private Message received(Message message) {
        messagesIn++;
        intake.tookMessage();
        settings.observer().received(this, message);
        return message;
    }

    @Override
    public void send(Message message) throws IOException {
        if (Thread.currentThread() != reader) {
            checkOpen();
            pusher.push(message);
            return;
        }
        output.lock();
        try {
            checkOpen();
            output.put(message, intake.quiet());
            // With more input to work through, the reader flushes before it next waits; the
            // room's thread serving in line writes once its batch is done.
            if (!output.inline && !intake.buffer().hasRemaining()) {
                writeLocked();
            }
        } finally {
            output.unlock();
        }
    }

    private void checkOpen() throws IOException {
        checkNotClosed();
        if (!framing.opened()) {
            // A broadcast may reach a connection still in its upgrade: the peer has agreed to
            // no framing yet, and the bytes would land in the middle of the HTTP exchange.
            throw new IOException("cannot send to " + Peers.describe(remote()) + " yet: " + this
                    + " is still opening (its WebSocket handshake is under way)");
        }
        if (outputShut) {
            // Refused here, not written: a write after the half-close would fail and take the
            // input half, which the peer may still be sending on, down with it.
            throw new IOException("cannot send to " + Peers.describe(this) + ": this end shut its output down"
                    + " (shutdownOutput) on " + this + "; the input half stays open for receive()");
        }
    }

    @Override
    public void flush() throws IOException {
        output.lock();
        try {
            pusher.moveLocked();
            if (output.pending()) {
                writeLocked();
            }
        } finally {
            output.unlock();
        }
    }

    /** Writes the buffer; a failed write ends the connection, since no farewell can reach the peer. */
    final void writeLocked() throws IOException {
        try {
            output.flushLocked();
        } catch (IOException e) {
            if (closing(CloseReason.of(CloseReason.Code.BROKEN, Errors.describe(e)))) {
                closer().cut();
            }
            throw new ClosedConnectionException(toString(), closeReason());
        }
    }

    /**
     * Closes from a thread that must not wait (a sender, the timer): the reason is set at once,
     * so further sends fail fast, and the farewell and socket close happen on a virtual thread.
     * False when the connection was already closing.
     */
    final boolean closeElsewhere(CloseReason reason) {
        if (closing(reason)) {
            Thread.ofVirtual().name("sockit-close-" + id()).start(() -> closer().close(reason, readerElsewhere()));
            return true;
        }
        return false;
    }

    /**
     * What the parts ask of this connection: the pusher writes through it and follows its
     * pace; the watchdogs ping through the outbox and ask the kernel what waits unread; both
     * close it from a thread that must not wait; the intake turning quiet gives the write
     * buffer back ({@link #turnedQuiet}), and its idle waits park in the room; the peer's
     * control frames are answered in line only on the reader ({@link #onReader}). One object
     * for all, not a lambda for each: every idle connection holds them.
     */
    private final class Hooks implements Pusher.Owner, Watchdogs.Target, Output.Gate, Intake.Owner {
        /** A write or a close needs the channel blocking: out of the waiting room first. */
        @Override
        public void awaken() throws InterruptedIOException {
            StreamCore.this.awaken();
        }

        /** The intake turned quiet: the write buffer goes too, if empty. */
        @Override
        public void turnedQuiet() {
            output.releaseIfEmpty();
        }

        @Override
        public int awaitInRoom(ByteBuffer in) throws IOException {
            return StreamCore.this.awaitInRoom(in);
        }

        @Override
        public int leaveRoom() {
            return StreamCore.this.leaveRoom();
        }

        /**
         * From its second message on: a connection that sends one line and goes (churn) would
         * pay a trip through the room for its end, which its thread's read meets for less.
         */
        @Override
        public boolean inline() {
            return inlineHandler != null && messagesIn > 1 && room.open();
        }

        @Override
        public long busyPollNanos() {
            return settings.busyPollFor(inline());
        }

        @Override
        public dev.sockit.Connection connection() {
            return StreamCore.this;
        }

        @Override
        public boolean quiet() {
            return intake.quiet();
        }

        @Override
        public void writeLocked() throws IOException {
            StreamCore.this.writeLocked();
        }

        @Override
        public boolean expire(CloseReason reason) {
            return closeElsewhere(reason);
        }

        @Override
        public void ping(long stamp) {
            pusher.pushControl(framing.ping(Long.toString(stamp).getBytes(StandardCharsets.US_ASCII)));
        }

        @Override
        public long unread() {
            return intake.canProbe() ? intake.unread() : -1;
        }
    }
}
