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
 * without disturbing what is being typed.
 */
final class InteractiveSession {

    static final String PROMPT = "Please input msg: ";

    private final Connection connection;
    private final Endpoint endpoint;
    private volatile boolean serverGone;

    InteractiveSession(Connection connection, Endpoint endpoint) {
        this.connection = connection;
        this.endpoint = endpoint;
    }

    int run() throws IOException {
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            LineReader reader = LineReaderBuilder.builder().terminal(terminal).appName("sockit").build();
            reader.printAbove("Connected to " + endpoint + " (Ctrl-D to quit)");
            // Replies are read on their own thread so they print while the user types.
            Thread replies = Thread.ofPlatform().name("sockit-replies").daemon(true)
                    .start(() -> printReplies(reader, terminal));
            int status = readInput(reader);
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
            try {
                connection.send(line);
            } catch (IOException e) {
                reader.printAbove("sockit: cannot send: " + e.getMessage());
                return Sockit.FAILED;
            }
        }
    }

    private void printReplies(LineReader reader, Terminal terminal) {
        try {
            for (Message reply; (reply = connection.receive()) != null; ) {
                reader.printAbove(reply.text());
            }
        } catch (IOException e) {
            reader.printAbove("sockit: " + e.getMessage());
        }
        if (!connection.isOpen() && connection.closeReason().code() == CloseReason.Code.CLOSED) {
            return; // we closed it: the user is leaving
        }
        serverGone = true;
        CloseReason reason = connection.closeReason();
        reader.printAbove("sockit: " + endpoint + (reason != null && reason.code() == CloseReason.Code.BROKEN
                ? " broke the connection: " + reason.text() : " closed the connection"));
        // Wake the prompt so the session ends now rather than at the next Enter.
        terminal.raise(Terminal.Signal.INT);
    }

    private int exitStatus() {
        CloseReason reason = connection.closeReason();
        return reason != null && reason.code() == CloseReason.Code.BROKEN ? Sockit.FAILED : 0;
    }
}
