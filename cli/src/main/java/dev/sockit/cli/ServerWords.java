package dev.sockit.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sockit.CloseReason;
import dev.sockit.Connection;
import dev.sockit.Endpoint;
import dev.sockit.Message;
import java.util.Arrays;

/**
 * What the client makes of what a server says besides its replies: the reason it gave for
 * closing, and a first reply that shows it speaks another framing than ours.
 *
 * <p>A {@code frames} server's reason is its CLOSE frame ({@link Connection#peerFarewell()}).
 * A {@code lines} server has no frame for it: sockit's says {@code error: TEXT} as its last
 * line and closes (a limit, a kick, an over-long line, "server busy"), so a last line of that
 * form before the server closed is taken as its reason. Either way the client says it on
 * stderr and exits 1, since the server ended the conversation over something wrong; a normal
 * close or a server stopping is not a failure.
 */
final class ServerWords {

    private static final byte[] FRAMES_GREETING = {'S', 'K', 'F'};
    private static final String ERROR = "error: ";

    private ServerWords() {}

    /** Why the server closed, in its words, and whether that ends the client in failure. */
    record Farewell(String text, boolean failure) {}

    /**
     * The server's reason for closing {@code connection}, after {@code receive()} returned
     * null, or null when it gave none; {@code lastReply} is the last message received, or null.
     */
    static Farewell farewell(Connection connection, Message lastReply) {
        var framed = connection.peerFarewell();
        if (framed.isPresent()) {
            CloseReason reason = framed.get();
            boolean normal = reason.code() == CloseReason.Code.PEER_CLOSED || reason.code() == CloseReason.Code.CLOSED;
            if (normal && (reason.text().startsWith("code ") || reason.text().equals(CloseReason.closed().text())
                    || reason.text().equals(CloseReason.peerClosed().text()))) {
                return null; // a plain goodbye, nothing to say
            }
            return new Farewell(reason.text(), !normal && reason.code() != CloseReason.Code.SHUTDOWN);
        }
        if (lastReply != null && lastReply.length() > ERROR.length()) {
            String text = lastReply.text();
            if (text.startsWith(ERROR)) {
                return new Farewell(ServerLog.printable(text.substring(ERROR.length())), true);
            }
        }
        return null;
    }

    /**
     * What is wrong when the first reply shows the server speaks another framing than
     * {@code ours}, or null: a {@code lines} client reads a frames server's greeting
     * ({@code "SKF" 01 "\n"}) as its first line.
     */
    static String mismatch(Message firstReply, FramingOptions.Kind ours, Endpoint endpoint) {
        if (ours != FramingOptions.Kind.lines || firstReply.length() != 4) {
            return null;
        }
        byte[] bytes = firstReply.bytes();
        if (!Arrays.equals(bytes, 0, 3, FRAMES_GREETING, 0, 3)) {
            return null;
        }
        return endpoint + " speaks frames (its first bytes are the frames greeting \""
                + new String(bytes, 0, 3, UTF_8) + "\" version " + (bytes[3] & 0xff)
                + "), not lines; connect with --framing frames";
    }
}
