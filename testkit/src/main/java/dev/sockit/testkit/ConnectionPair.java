package dev.sockit.testkit;

import dev.sockit.CloseReason;
import dev.sockit.Connection;
import dev.sockit.Handler;
import dev.sockit.framing.Framing;
import dev.sockit.framing.FramingException;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two connected in-memory connections, for testing a blocking {@link Handler} without a
 * socket: what the role of Netty's {@code EmbeddedChannel} is for event-loop code, this is
 * for sockit's plain loops. Each end frames, limits and ends as a socket connection does
 * (see {@link MemoryConnection}), and {@link Faults} disturb either side on purpose.
 *
 * <pre>{@code
 * try (ConnectionPair pair = ConnectionPair.of(Lines.defaults())) {
 *     pair.serve(Handlers.ack("ok"));             // the handler runs on a virtual thread, as in a Server
 *     pair.client().send("hello");
 *     assertThat(pair.client().receive().text()).isEqualTo("ok");
 * }
 * }</pre>
 *
 * <p>The buffer each way holds 64 KiB by default ({@link Builder#bufferSize}): a side that stops
 * reading makes the other's sends wait once it is full, as socket buffers do.
 */
public final class ConnectionPair implements AutoCloseable {

    private static final AtomicLong IDS = new AtomicLong();
    private static final int DEFAULT_BUFFER = 64 * 1024;

    private final MemoryConnection client;
    private final MemoryConnection server;
    private volatile CompletableFuture<Void> handler;

    private ConnectionPair(Framing framing, int bufferSize, Faults clientFaults, Faults serverFaults) {
        Pipe up = new Pipe(bufferSize, clientFaults, serverFaults);   // client writes, server reads
        Pipe down = new Pipe(bufferSize, serverFaults, clientFaults); // server writes, client reads
        long id = IDS.incrementAndGet();
        int port = 40_000 + (int) (id % 20_000);
        client = new MemoryConnection(id, "client", framing, down, up, MemoryConnection.address(port),
                MemoryConnection.address(8001));
        server = new MemoryConnection(id, "server", framing, up, down, MemoryConnection.address(8001),
                MemoryConnection.address(port));
    }

    /**
     * {@return a pair framed by {@code framing}}, 64 KiB of buffer each way, no faults.
     *
     * @param framing the framing both ends use, e.g. {@code Lines.defaults()}
     */
    public static ConnectionPair of(Framing framing) {
        return builder(framing).build();
    }

    /**
     * {@return a description of a pair}, whose buffer size and faults on either side may then be set.
     *
     * @param framing the framing both ends use; not null
     */
    public static Builder builder(Framing framing) {
        return new Builder(Objects.requireNonNull(framing, "framing"));
    }

    /** {@return the client's end}: what a test drives. */
    public MemoryConnection client() {
        return client;
    }

    /** {@return the server's end}: what a handler is given. */
    public MemoryConnection server() {
        return server;
    }

    /**
     * Runs {@code handler} on the server's end on a virtual thread of its own, as a server
     * does, and closes that end when it returns (a framing error closes it with the framing's
     * farewell, an {@link IOException} as broken, as a server does). Its failure, if any, is
     * thrown by {@link #awaitHandler}.
     *
     * @param handler the handler under test
     * @return this pair
     */
    public ConnectionPair serve(Handler handler) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        this.handler = done;
        Thread.ofVirtual().name("sockit-testkit-handler").start(() -> {
            try {
                handler.handle(server);
                server.close(CloseReason.closed());
                done.complete(null);
            } catch (FramingException e) {
                server.close(CloseReason.of(CloseReason.Code.PROTOCOL_ERROR, e.getMessage()));
                done.complete(null);
            } catch (Throwable e) {
                server.close(CloseReason.of(e instanceof IOException ? CloseReason.Code.BROKEN
                        : CloseReason.Code.HANDLER_FAILED, String.valueOf(e.getMessage())));
                done.completeExceptionally(e);
            }
        });
        return this;
    }

    /**
     * Waits until the handler waits in {@code receive()} with nothing left to read: it has done
     * all that the client's messages so far asked of it (answered, pushed to others, joined its
     * groups). A handler runs on a thread of its own, so a test that wants to act only once the
     * handler is ready, such as a second chat member joining once the first is in the room,
     * waits for this; Netty's {@code EmbeddedChannel} gets the same by running handlers on the
     * test's thread.
     *
     * @param timeout how long to wait at most
     * @return this pair, for chaining after {@link #serve}
     * @throws InterruptedException if the waiting thread is interrupted
     * @throws AssertionError if it did not within {@code timeout}, or the handler returned first
     */
    public ConnectionPair awaitReceiving(Duration timeout) throws InterruptedException {
        if (handler == null) {
            throw new IllegalStateException("no handler: call serve(handler) first");
        }
        if (!server.awaitReceiving(timeout.toNanos())) {
            throw new AssertionError(!server.isOpen()
                    ? "the handler's end closed instead of waiting for a message (" + server.closeReason() + ")"
                    : "the handler did not come to wait for a message within " + timeout
                            + " (busy, or blocked in a send the client does not read?)");
        }
        return this;
    }

    /**
     * Waits for the handler given to {@link #serve} to return.
     *
     * @param timeout how long to wait
     * @throws AssertionError if it did not within {@code timeout}
     * @throws IllegalStateException when {@link #serve} was not called
     * @throws Exception what the handler threw, if it threw
     */
    public void awaitHandler(Duration timeout) throws Exception {
        if (handler == null) {
            throw new IllegalStateException("no handler: call serve(handler) first");
        }
        try {
            handler.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the handler did not return within " + timeout);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** Closes both ends. */
    @Override
    public void close() {
        client.close();
        server.close();
    }

    /** A pair being described. */
    public static final class Builder {
        private final Framing framing;
        private int bufferSize = DEFAULT_BUFFER;
        private Faults clientFaults = Faults.none();
        private Faults serverFaults = Faults.none();

        private Builder(Framing framing) {
            this.framing = framing;
        }

        /**
         * Bytes each direction holds before a sender waits for its reader. Default: 64 KiB.
         *
         * @param bytes at least 1
         * @return this builder
         * @throws IllegalArgumentException when {@code bytes} is below 1
         */
        public Builder bufferSize(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("bufferSize is at least 1 byte, not " + bytes);
            }
            this.bufferSize = bytes;
            return this;
        }

        /**
         * How the client's writes and reads are disturbed. Default: {@link Faults#none()}.
         *
         * @param faults the faults; not null
         * @return this builder
         */
        public Builder clientFaults(Faults faults) {
            this.clientFaults = Objects.requireNonNull(faults, "faults");
            return this;
        }

        /**
         * How the server's writes and reads are disturbed. Default: {@link Faults#none()}.
         *
         * @param faults the faults; not null
         * @return this builder
         */
        public Builder serverFaults(Faults faults) {
            this.serverFaults = Objects.requireNonNull(faults, "faults");
            return this;
        }

        /** {@return the pair, greeted}: a framing's greeting is sent from each end, as on a socket. */
        public ConnectionPair build() {
            ConnectionPair pair = new ConnectionPair(framing, bufferSize, clientFaults, serverFaults);
            try {
                pair.client.greet();
                pair.server.greet();
            } catch (IOException e) {
                throw new IllegalStateException("a fresh pair cannot fail to greet", e);
            }
            return pair;
        }
    }
}
