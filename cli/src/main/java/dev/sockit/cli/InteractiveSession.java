package dev.sockit.cli;

import dev.sockit.CloseReason;
import dev.sockit.Connection;
import dev.sockit.Endpoint;
import dev.sockit.Message;
import dev.sockit.Retry;
import java.io.IOException;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;

/**
 * The walk-through's client at a terminal: a prompt with line editing and history, each line
 * sent as a message. Replies and pushed messages are printed above the prompt as they arrive,
 * without disturbing what is being typed. With {@code --reconnect} a lost connection is
 * replaced behind the same prompt (history and the line being typed survive); a line entered
 * while disconnected is not sent, and the user is told so.
 */
final class InteractiveSession {

    static final String PROMPT = "Please input msg: ";

    private final Endpoint endpoint;
    private final Reconnector reconnector; // null without --reconnect
    private volatile Connection connection;
    private volatile boolean serverGone;
    private volatile boolean gaveUp;
    private volatile boolean leaving;
    private final FramingOptions.Kind framing;
    private Message lastReply; // the reply thread's own
    private volatile boolean mismatched;
    private volatile ServerWords.Farewell farewell;

    // UDP only: what arrived so far, so a sender can tell whether its line got an answer.
    private final Object heardLock = new Object();
    private long heard;
    private final Retry retry;

    InteractiveSession(Connection connection, Endpoint endpoint, FramingOptions.Kind framing, Reconnector reconnector,
            Retry retry) {
        this.connection = connection;
        this.framing = framing;
        this.endpoint = endpoint;
        this.reconnector = reconnector;
        this.retry = retry;
    }

    /** The line above the first prompt. */
    static String connected(Endpoint endpoint) {
        return "Connected to " + endpoint + " (Ctrl-D to quit)";
    }

    /**
     * Talks at {@code terminal} until the user or the server ends it; closes the terminal.
     * {@code early}: the first prompt, already drawn while the terminal was set up, or null.
     */
    int run(Terminal terminal, EarlyPrompt early) throws IOException {
        try (terminal) {
            LineReader reader = LineReaderBuilder.builder().terminal(terminal).appName("sockit").build();
            if (early == null) {
                reader.printAbove(connected(endpoint));
            } else if (!early.handOver(terminal, reader)) {
                return ServerConsole.INTERRUPTED; // Ctrl-C during the hand-over, as after one at the prompt
            }
            // Replies are read on their own thread so they print while the user types.
            Thread replies = Thread.ofPlatform().name("sockit-replies").daemon(true)
                    .start(() -> printReplies(reader, terminal));
            int status = readInput(reader);
            leaving = true;
            connection.close();
            replies.interrupt();
            return status;
        }
    }

    private int readInput(LineReader reader) {
        for (;;) {
            String line;
            try {
                line = reader.readLine(PROMPT);
            } catch (UserInterruptException e) {
                // Our own wake-up when the server went, or the user's Ctrl-C: 130, as a SIGINT gives.
                return serverGone ? exitStatus() : ServerConsole.INTERRUPTED;
            } catch (EndOfFileException e) {
                return 0;
            }
            if (serverGone) {
                return exitStatus();
            }
            Connection current = connection;
            boolean datagrams = "udp".equals(current.protocol());
            if (datagrams && line.isEmpty()) {
                reader.printAbove("sockit: an empty line cannot be sent over UDP (a connected socket sends no empty datagram)");
                continue;
            }
            try {
                long mark = heardSoFar();
                current.send(line);
                if (datagrams) {
                    watchForReply(reader, current, line, mark);
                }
            } catch (IOException e) {
                if (reconnector == null) {
                    reader.printAbove("sockit: cannot send: " + e.getMessage());
                    return Sockit.FAILED;
                }
                // The reply thread sees the loss too and reconnects; this line is not queued for later,
                // as the user may no longer mean it by then.
                reader.printAbove("sockit: not sent, the connection is lost (" + e.getMessage() + "); reconnecting…");
            }
        }
    }

    private void printReplies(LineReader reader, Terminal terminal) {
        for (;;) {
            Connection current = connection;
            try {
                for (Message reply; (reply = current.receive()) != null; ) {
                    if (lastReply == null) {
                        String mismatch = ServerWords.mismatch(reply, framing, endpoint);
                        if (mismatch != null) {
                            reader.printAbove("sockit: " + mismatch);
                            mismatched = true;
                            leave(terminal);
                            return;
                        }
                    }
                    lastReply = reply;
                    // Escaped: a server's bytes must not drive the user's terminal.
                    reader.printAbove(ServerLog.printable(reply.text()));
                    synchronized (heardLock) {
                        heard++;
                        heardLock.notifyAll();
                    }
                }
            } catch (IOException e) {
                reader.printAbove("sockit: " + e.getMessage());
            }
            if (leaving || !current.isOpen() && current.closeReason().code() == CloseReason.Code.CLOSED) {
                return; // we closed it: the user is leaving
            }
            if (reconnector == null) {
                break;
            }
            String lost = Reconnector.lost(current);
            current.close(); // after a framing error it may still be open
            lastReply = null;
            try {
                connection = reconnector.after(lost, reader::printAbove);
                if (leaving) {
                    connection.close();
                    return;
                }
            } catch (InterruptedException e) {
                return; // the user left while we waited
            } catch (IOException e) {
                reader.printAbove("sockit: " + e.getMessage());
                gaveUp = true;
                serverGone = true;
                terminal.raise(Terminal.Signal.INT);
                return;
            }
        }
        CloseReason reason = connection.closeReason();
        farewell = ServerWords.farewell(connection, framing == FramingOptions.Kind.raw ? null : lastReply);
        reader.printAbove("sockit: " + endpoint + (reason != null && reason.code() == CloseReason.Code.BROKEN
                ? " broke the connection: " + reason.text()
                : " closed the connection" + (farewell == null ? "" : ": " + farewell.text())));
        leave(terminal);
    }

    /** Ends the session now rather than at the next Enter: wakes the prompt. */
    private void leave(Terminal terminal) {
        serverGone = true;
        terminal.raise(Terminal.Signal.INT);
    }

    private long heardSoFar() {
        synchronized (heardLock) {
            return heard;
        }
    }

    /**
     * UDP loses datagrams without a word: if nothing arrives within the timeout, send the line
     * again, and after the last attempt say plainly that no reply came. Runs beside the prompt.
     */
    private void watchForReply(LineReader reader, Connection current, String line, long mark) {
        Thread.ofVirtual().name("sockit-udp-reply").start(() -> {
            int attempts = retry.attempts();
            for (int attempt = 1; attempt <= attempts; attempt++) {
                if (awaitHeardAfter(mark, retry.timeout())) {
                    return;
                }
                if (attempt == attempts || !current.isOpen()) {
                    break;
                }
                reader.printAbove("sockit: no reply within " + DurationConverter.format(retry.timeout())
                        + "; sending again (attempt " + (attempt + 1) + " of " + attempts + ")");
                try {
                    current.send(line);
                } catch (IOException e) {
                    reader.printAbove("sockit: cannot send: " + e.getMessage());
                    return;
                }
            }
            reader.printAbove("sockit: no reply from " + endpoint + " after " + attempts + " attempt"
                    + (attempts == 1 ? "" : "s") + " of " + DurationConverter.format(retry.timeout())
                    + " (UDP loses datagrams silently: is a server running there?)");
        });
    }

    private boolean awaitHeardAfter(long mark, java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (heardLock) {
            while (heard == mark) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(heardLock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return true;
                }
            }
            return true;
        }
    }

    private int exitStatus() {
        if (gaveUp || mismatched || farewell != null && farewell.failure()) {
            return Sockit.FAILED;
        }
        CloseReason reason = connection.closeReason();
        return reason != null && reason.code() == CloseReason.Code.BROKEN ? Sockit.FAILED : 0;
    }
}
