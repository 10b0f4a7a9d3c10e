package dev.sockit.cli;

import dev.sockit.CloseReason;
import dev.sockit.Connection;
import dev.sockit.Endpoint;
import dev.sockit.Message;
import java.io.IOException;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

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

    InteractiveSession(Connection connection, Endpoint endpoint, Reconnector reconnector) {
        this.connection = connection;
        this.endpoint = endpoint;
        this.reconnector = reconnector;
    }

    int run() throws IOException {
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            LineReader reader = LineReaderBuilder.builder().terminal(terminal).appName("sockit").build();
            reader.printAbove("Connected to " + endpoint + " (Ctrl-D to quit)");
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
                return serverGone ? exitStatus() : 0;
            } catch (EndOfFileException e) {
                return 0;
            }
            if (serverGone) {
                return exitStatus();
            }
            Connection current = connection;
            try {
                current.send(line);
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
                    reader.printAbove(reply.text());
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
        serverGone = true;
        CloseReason reason = connection.closeReason();
        reader.printAbove("sockit: " + endpoint + (reason != null && reason.code() == CloseReason.Code.BROKEN
                ? " broke the connection: " + reason.text() : " closed the connection"));
        // Wake the prompt so the session ends now rather than at the next Enter.
        terminal.raise(Terminal.Signal.INT);
    }

    private int exitStatus() {
        if (gaveUp) {
            return Sockit.FAILED;
        }
        CloseReason reason = connection.closeReason();
        return reason != null && reason.code() == CloseReason.Code.BROKEN ? Sockit.FAILED : 0;
    }
}
