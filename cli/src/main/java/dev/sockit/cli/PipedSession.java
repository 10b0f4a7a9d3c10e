package dev.sockit.cli;

import dev.sockit.CloseReason;
import dev.sockit.ClosedConnectionException;
import dev.sockit.Connection;
import dev.sockit.Endpoint;
import dev.sockit.Message;
import dev.sockit.framing.Framing;
import dev.sockit.framing.FramingException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The client for scripts: standard input is cut into messages by the same framing as the
 * connection and sent; replies go to stdout and nothing else does. When the input ends the
 * connection is half-closed, so the server sees end of stream, answers what is left and
 * closes; we print those last replies and exit 0.
 *
 * <p>With {@code --reconnect}, a connection lost before the input ended is replaced. No line
 * is sent twice: a line whose send failed waits and goes on the new connection, while lines
 * already handed to the lost one are not sent again, even if their replies never came (we
 * cannot know which the server processed); the client says how many lines it sent on the lost
 * connection and how many replies came back, so the user can judge.
 */
final class PipedSession {

    /** Which ways data goes: ncat's --send-only and --recv-only. */
    enum Direction {
        /** Input sent, replies printed. */
        BOTH,
        /** Input sent, nothing printed; the connection closes once the input ends. */
        SEND_ONLY,
        /** Standard input never read; what arrives printed until the peer closes. */
        RECEIVE_ONLY
    }

    private final Endpoint endpoint;
    private final Reconnector reconnector; // null without --reconnect
    private volatile Connection connection;
    // The connection our output was shut down on: its end of stream is the server's answer, not a loss.
    private volatile Connection halfClosed;
    private volatile boolean over;
    private final FramingOptions framing;
    private final Duration closeTimeout;
    private final PrintStream err;
    private final CountDownLatch inputEnded = new CountDownLatch(1);
    private volatile String inputFailure;
    private volatile boolean timedOut;
    private final Direction direction;

    PipedSession(Connection connection, Endpoint endpoint, FramingOptions framing, Duration closeTimeout, PrintStream err,
            Reconnector reconnector) {
        this(connection, endpoint, framing, closeTimeout, err, reconnector, Direction.BOTH);
    }

    PipedSession(Connection connection, Endpoint endpoint, FramingOptions framing, Duration closeTimeout, PrintStream err,
            Reconnector reconnector, Direction direction) {
        this.direction = direction;
        this.connection = connection;
        this.reconnector = reconnector;
        this.endpoint = endpoint;
        this.framing = framing;
        this.closeTimeout = closeTimeout;
        this.err = err;
    }

    int run(InputStream stdin, OutputStream stdout) throws IOException {
        if (direction == Direction.RECEIVE_ONLY) {
            inputEnded.countDown(); // no input to wait for: the peer's close ends the session
        } else {
            // Standard input blocks in the kernel: read it on a platform thread, not a virtual one.
            Thread.ofPlatform().name("sockit-stdin").daemon(true).start(() -> sendInput(stdin));
            Thread.ofPlatform().name("sockit-close-timeout").daemon(true).start(this::closeAfterTimeout);
        }
        boolean print = direction != Direction.SEND_ONLY;
        OutputStream out = new BufferedOutputStream(stdout, 64 * 1024);
        boolean raw = framing.kind() == FramingOptions.Kind.raw;
        try {
            for (;;) {
                Connection current = connection;
                for (Message reply; (reply = current.receive()) != null; ) {
                    if (!print) {
                        continue;
                    }
                    out.write(reply.bytes());
                    if (!raw) {
                        out.write('\n');
                    }
                    out.flush();
                }
                if (!lost(current)) {
                    break;
                }
                String lost = Reconnector.lost(current);
                current.close();
                err.println("sockit: " + current.stats().messagesOut() + " lines sent on the lost connection, "
                        + current.stats().messagesIn() + " replies received; lines sent are not sent again");
                try {
                    replace(reconnector.after(lost, err::println));
                } catch (IOException e) {
                    err.println("sockit: " + e.getMessage());
                    return Sockit.FAILED;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Sockit.FAILED;
                }
            }
        } catch (FramingException e) {
            err.println("sockit: reply from " + endpoint + " broke the framing: " + e.getMessage());
            return Sockit.FAILED;
        } finally {
            out.flush();
            end();
        }
        return outcome();
    }

    /** True when {@code current} ended by a loss that --reconnect should repair. */
    private boolean lost(Connection current) {
        if (reconnector == null || halfClosed == current || inputFailure != null || timedOut) {
            return false;
        }
        CloseReason reason = current.closeReason();
        return reason == null || reason.code() != CloseReason.Code.CLOSED;
    }

    private synchronized void replace(Connection next) {
        connection = next;
        notifyAll();
    }

    private synchronized void end() {
        over = true;
        notifyAll();
    }

    /** Waits until the reply loop has replaced {@code lost}; false when it gave up instead. */
    private synchronized boolean awaitReplacement(Connection lost) {
        try {
            while (connection == lost && !over) {
                wait();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return connection != lost;
    }

    /** Sends on the current connection; with --reconnect, a failed send waits for the next one. */
    private void send(Message message) throws IOException {
        for (;;) {
            Connection current = connection;
            try {
                current.send(message);
                return;
            } catch (IOException e) {
                if (reconnector == null || e instanceof FramingException) {
                    throw e;
                }
                // Not handed over, so not sent: it goes on the next connection.
                current.close(CloseReason.of(CloseReason.Code.BROKEN, e.getMessage() == null ? e.toString() : e.getMessage()));
                if (!awaitReplacement(current)) {
                    throw e;
                }
            }
        }
    }

    /** Tells the server the input is over, on whichever connection is current. */
    private void shutdownOutput() throws IOException {
        for (;;) {
            Connection current = connection;
            halfClosed = current;
            try {
                current.shutdownOutput();
                return;
            } catch (IOException e) {
                halfClosed = null;
                if (reconnector == null) {
                    throw e;
                }
                current.close(CloseReason.of(CloseReason.Code.BROKEN, e.getMessage() == null ? e.toString() : e.getMessage()));
                if (!awaitReplacement(current)) {
                    throw e;
                }
            }
        }
    }

    private int outcome() {
        CloseReason reason = connection.closeReason();
        if (inputFailure != null) {
            err.println("sockit: " + inputFailure);
            return Sockit.FAILED;
        }
        if (timedOut) {
            err.println("sockit: " + endpoint + " did not close the connection within "
                    + DurationConverter.format(closeTimeout) + " after the input ended; closed it (raise --close-timeout to wait longer)");
            return 0;
        }
        if (reason != null && reason.code() == CloseReason.Code.BROKEN) {
            err.println("sockit: connection to " + endpoint + " broken: " + reason.text());
            return Sockit.FAILED;
        }
        if (inputEnded.getCount() > 0) {
            err.println("sockit: " + endpoint + " closed the connection before the input ended");
            return Sockit.FAILED;
        }
        return 0;
    }

    private void sendInput(InputStream stdin) {
        Framing.Decoder splitter = framing.console().decoder();
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        byte[] chunk = new byte[64 * 1024];
        try {
            for (int n; (n = stdin.read(chunk)) >= 0; ) {
                if (buffer.remaining() < n) {
                    buffer = grow(buffer, n);
                }
                buffer.put(chunk, 0, n).flip();
                for (Message m; (m = splitter.decode(buffer)) != null; ) {
                    send(m);
                }
                buffer.compact();
            }
            Message last = splitter.finish(buffer.flip());
            if (last != null) {
                send(last);
            }
            // The input has ended now, before the half-close: the server may answer it and
            // close before shutdownOutput() returns (over TLS, close_notify leaves first), and
            // that close must not be taken for one that cut the input short.
            inputEnded.countDown();
            shutdownOutput();
            if (direction == Direction.SEND_ONLY) {
                connection.close(); // nothing more to hear: ncat --send-only quits at the end of its input
            }
        } catch (FramingException e) {
            inputFailure = "input " + e.getMessage() + " (the --max-line limit); nothing more sent";
            connection.close();
        } catch (ClosedConnectionException e) {
            // The server went first; the reply loop reports it.
        } catch (IOException e) {
            inputFailure = "cannot send to " + endpoint + ": " + e.getMessage();
            connection.close();
        }
    }

    private static ByteBuffer grow(ByteBuffer buffer, int needed) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + needed));
        return bigger.put(buffer.flip());
    }

    private void closeAfterTimeout() {
        try {
            inputEnded.await();
            Thread.sleep(closeTimeout); // a deadline, not a pause: the reply loop usually ends first
            if (connection.isOpen()) {
                timedOut = true;
                connection.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
