package dev.sockit;

import static dev.sockit.TestKit.onLoopback;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.TestKit.Peer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Relays are byte-exact: chat and echo pass on what they received, however it breaks UTF-8,
 * never U+FFFD in its place. One case per class of invalid sequence (hex, between "a" and "z").
 */
class RelayBytesTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "80",             // a continuation byte with no lead
            "bf80",           // two continuation bytes
            "c0af",           // overlong two-byte form of '/'
            "e080af",         // overlong three-byte form
            "f08080af",       // overlong four-byte form
            "c3",             // a lead byte cut short at the end of the line
            "e282",           // a three-byte sequence missing its last byte
            "f09f98",         // a four-byte sequence missing its last byte
            "eda080",         // a UTF-16 surrogate (U+D800) encoded as UTF-8
            "f4908080",       // beyond U+10FFFF
            "fe", "ff",       // bytes that never occur in UTF-8
            "f888808080",     // the obsolete five-byte form
            "c3e9"            // a lead byte followed by another lead byte
    })
    void chatRelaysAnInvalidSequenceAsItCame(String hex) throws Exception {
        byte[] sent = line(hex);
        try (Server server = onLoopback().handler(Handlers.chat()).start();
             Peer sender = Peer.connect(server);
             Peer receiver = Peer.connect(server)) {
            awaitBothInTheRoom(sender, receiver);
            sender.write(withNewline(sent));
            assertThat(nextRelayedLine(receiver)).isEqualTo(concat(bytes("[1] "), sent));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"80", "c0af", "e282", "eda080", "f4908080", "ff", "c3e9"})
    void echoSendsAnInvalidSequenceBackAsItCame(String hex) throws Exception {
        byte[] sent = line(hex);
        try (Server server = onLoopback().handler(Handlers.echo()).start();
             Peer peer = Peer.connect(server)) {
            peer.write(withNewline(sent));
            assertThat(readRawLine(peer.socket().getInputStream())).isEqualTo(sent);
        }
    }

    private static byte[] line(String hex) {
        return concat(concat(bytes("a"), HexFormat.of().parseHex(hex)), bytes("z"));
    }

    private static byte[] bytes(String ascii) {
        return ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static byte[] withNewline(byte[] line) {
        return concat(line, bytes("\n"));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }

    /**
     * Returns once the receiver has heard the sender through the room: then both are members.
     * Each handler joins on its own thread, so neither "joined" notice is sure to reach the other.
     */
    private static void awaitBothInTheRoom(Peer sender, Peer receiver) throws IOException {
        receiver.socket().setSoTimeout(200);
        long deadline = System.nanoTime() + TestKit.PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            sender.write(bytes("hello\n"));
            try {
                while (!new String(readRawLine(receiver.socket().getInputStream()),
                        java.nio.charset.StandardCharsets.ISO_8859_1).endsWith("] hello")) {
                    // a "joined" notice: keep reading
                }
                receiver.socket().setSoTimeout((int) TestKit.PATIENCE.toMillis());
                return;
            } catch (java.net.SocketTimeoutException notYet) {
                // the receiver was not in the room yet: say hello again
            }
        }
        throw new AssertionError("the receiver never heard the sender in " + TestKit.PATIENCE);
    }

    /** The next relayed line, past the hellos and notices still on their way. */
    private static byte[] nextRelayedLine(Peer receiver) throws IOException {
        for (;;) {
            byte[] line = readRawLine(receiver.socket().getInputStream());
            String text = new String(line, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (!text.endsWith("] hello") && !text.startsWith("* ")) {
                return line;
            }
        }
    }

    /** The bytes up to the next newline, undecoded. */
    private static byte[] readRawLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != -1 && b != '\n'; ) {
            line.write(b);
        }
        return line.toByteArray();
    }
}
