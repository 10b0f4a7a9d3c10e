package dev.sockit.framing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sockit.Message;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays every test vector in {@code src/test/resources/frames/*.txt} (the format is in
 * docs/protocol.md, "Test vectors"): as fed, one byte at a time, all in one buffer, and as fed
 * into little-endian direct buffers. A new vector file is picked up without touching this class.
 */
class FramesVectorsTest {

    private static final HexFormat HEX = HexFormat.of();

    // What each error kind of the vectors means in this implementation.
    private static final Map<String, String> ERROR_WORDS = Map.of(
            "greeting", "not a frames greeting",
            "version", "speaks frames version",
            "type", "unknown frame type",
            "control", "control frame",
            "truncated", "stream ended inside");

    enum Mode {
        AS_FED(true, false, false),
        ONE_BYTE_AT_A_TIME(false, false, false),
        ALL_IN_ONE_BUFFER(false, false, false),
        AS_FED_INTO_LITTLE_ENDIAN_DIRECT_BUFFERS(true, true, true);

        // Only the reads as written decide where "incomplete" falls and which bytes an error
        // message can quote; splitting them differently may not change anything else.
        final boolean asWritten;
        final boolean direct;
        final boolean littleEndian;

        Mode(boolean asWritten, boolean direct, boolean littleEndian) {
            this.asWritten = asWritten;
            this.direct = direct;
            this.littleEndian = littleEndian;
        }
    }

    @TestFactory
    Stream<DynamicContainer> everyVectorDecodesToItsEvents() throws IOException {
        return vectorFiles().stream().map(file -> {
            Vector vector = Vector.parse(file);
            return DynamicContainer.dynamicContainer(vector.name(), Stream.of(Mode.values())
                    .map(mode -> DynamicTest.dynamicTest(mode.name().toLowerCase().replace('_', ' '),
                            () -> replay(vector, mode))));
        });
    }

    @Test
    void theVectorsCoverEveryEventAndEveryErrorKind() throws IOException {
        Set<String> kinds = new TreeSet<>();
        for (Path file : vectorFiles()) {
            for (String event : Vector.parse(file).expected()) {
                String[] words = event.split(" ", 3);
                kinds.add(words[0].equals("error") ? "error " + words[1] : words[0]);
            }
        }
        assertThat(kinds).containsExactlyInAnyOrder("data", "ping", "pong", "close", "incomplete", "end",
                "error greeting", "error version", "error type", "error too-long", "error control",
                "error truncated");
    }

    private static void replay(Vector vector, Mode mode) {
        List<String> events = new ArrayList<>();
        Framing.Decoder decoder = Frames.maxLength(vector.limit()).decoder(new Framing.Control() {
            @Override
            public void pinged(byte[] payload) {
                events.add(withHex("ping", payload));
            }

            @Override
            public void ponged(byte[] payload) {
                events.add(withHex("pong", payload));
            }

            @Override
            public void closing(int code, String reason) {
                events.add(reason.isEmpty() ? "close " + code : "close " + code + " " + reason);
            }
        });
        ByteBuffer buffer = allocate(mode, 0).flip();
        FramingException error = null;
        try {
            for (byte[] read : reads(vector, mode)) {
                buffer = append(buffer, read, mode);
                for (Message m; (m = decoder.decode(buffer)) != null; ) {
                    events.add(withHex("data", m.bytes()));
                }
                if (buffer.hasRemaining()) {
                    events.add("incomplete");
                }
            }
            if (vector.endsStream()) {
                for (Message m; (m = decoder.finish(buffer)) != null; ) {
                    events.add(withHex("data", m.bytes()));
                }
                events.add("end");
            }
        } catch (FramingException e) {
            error = e;
        }

        List<String> expected = new ArrayList<>(vector.expected());
        String expectedError = expected.isEmpty() || !expected.getLast().startsWith("error ") ? null : expected.removeLast();
        if (!mode.asWritten) {
            expected.removeIf("incomplete"::equals);
            events.removeIf("incomplete"::equals);
        }
        assertThat(events).as("events of %s", vector.name()).containsExactlyElementsOf(expected);
        if (expectedError == null) {
            assertThat(error).as("error of %s", vector.name()).isNull();
            return;
        }
        assertThat(error).as("error of %s, expected: %s", vector.name(), expectedError).isNotNull();
        String[] words = expectedError.split(" ", 3);
        String kind = words[1];
        if (kind.equals("too-long")) {
            assertThat(error).isInstanceOf(MessageTooLongException.class);
            assertThat(((MessageTooLongException) error).limit()).isEqualTo(vector.limit());
        } else {
            assertThat(error).isNotInstanceOf(MessageTooLongException.class);
            assertThat(ERROR_WORDS).as("error kinds").containsKey(kind);
            assertThat(error.getMessage()).containsIgnoringCase(ERROR_WORDS.get(kind));
        }
        if (mode.asWritten && words.length == 3) {
            assertThat(error.getMessage()).containsIgnoringCase(words[2]);
        }
    }

    private static List<byte[]> reads(Vector vector, Mode mode) {
        return switch (mode) {
            case AS_FED, AS_FED_INTO_LITTLE_ENDIAN_DIRECT_BUFFERS -> vector.feeds();
            case ONE_BYTE_AT_A_TIME -> {
                List<byte[]> bytes = new ArrayList<>();
                for (byte[] feed : vector.feeds()) {
                    for (byte b : feed) {
                        bytes.add(new byte[] {b});
                    }
                }
                yield bytes;
            }
            case ALL_IN_ONE_BUFFER -> {
                ByteBuffer all = ByteBuffer.allocate(vector.feeds().stream().mapToInt(f -> f.length).sum());
                vector.feeds().forEach(all::put);
                yield all.position() == 0 ? List.of() : List.of(all.array());
            }
        };
    }

    /** Adds a read to the unconsumed bytes, the way a connection's read buffer does. */
    private static ByteBuffer append(ByteBuffer buffer, byte[] read, Mode mode) {
        if (buffer.capacity() - buffer.remaining() < read.length) {
            buffer = allocate(mode, buffer.remaining() + read.length).put(buffer);
        } else {
            buffer.compact();
        }
        return buffer.put(read).flip();
    }

    private static ByteBuffer allocate(Mode mode, int capacity) {
        ByteBuffer buffer = mode.direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
        return buffer.order(mode.littleEndian ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    }

    private static String withHex(String event, byte[] payload) {
        return payload.length == 0 ? event : event + " " + HEX.formatHex(payload);
    }

    static List<Path> vectorFiles() throws IOException {
        URL folder = FramesVectorsTest.class.getResource("/frames");
        assertThat(folder).as("the test vectors folder /frames on the test class path").isNotNull();
        try (Stream<Path> files = Files.list(Path.of(folder.toURI()))) {
            List<Path> vectors = files.filter(f -> f.toString().endsWith(".txt")).sorted().toList();
            assertThat(vectors).as("test vectors in " + folder).isNotEmpty();
            return vectors;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * One vector file: the reads in order, whether the stream then ends, and the events
     * expected, normalised (hex in lower case without spaces).
     */
    record Vector(String name, int limit, List<byte[]> feeds, boolean endsStream, List<String> expected) {

        static Vector parse(Path file) {
            String name = file.getFileName().toString().replaceFirst("\\.txt$", "");
            int limit = Frames.DEFAULT_MAX_LENGTH;
            List<byte[]> feeds = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            boolean eof = false;
            boolean over = false;
            List<String> lines;
            try {
                lines = Files.readAllLines(file, UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read test vector " + file, e);
            }
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                String where = file.getFileName() + ":" + (i + 1) + ": ";
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                if (over) {
                    fail(where + "nothing may follow an error or end, found: " + line);
                }
                String[] words = line.split(" ", 2);
                String rest = words.length > 1 ? words[1].strip() : "";
                switch (words[0]) {
                    case "limit" -> {
                        if (!feeds.isEmpty() || eof || !expected.isEmpty()) {
                            fail(where + "limit comes before every feed");
                        }
                        limit = Integer.parseInt(rest);
                    }
                    case "feed" -> {
                        if (eof) {
                            fail(where + "no feed after eof");
                        }
                        byte[] bytes = hex(rest, where);
                        if (bytes.length == 0) {
                            fail(where + "a feed has at least one byte");
                        }
                        feeds.add(bytes);
                    }
                    case "eof" -> {
                        if (eof) {
                            fail(where + "one eof only");
                        }
                        eof = true;
                    }
                    case "data", "ping", "pong" -> {
                        byte[] payload = hex(rest, where);
                        expected.add(payload.length == 0 ? words[0] : words[0] + " " + HEX.formatHex(payload));
                    }
                    case "close" -> {
                        String[] code = rest.split(" ", 2);
                        int value = Integer.parseInt(code[0]);
                        expected.add(code.length > 1 ? "close " + value + " " + code[1] : "close " + value);
                    }
                    case "incomplete" -> expected.add("incomplete");
                    case "end" -> {
                        if (!eof) {
                            fail(where + "end comes after eof");
                        }
                        expected.add("end");
                        over = true;
                    }
                    case "error" -> {
                        if (rest.isEmpty()) {
                            fail(where + "an error names its kind");
                        }
                        expected.add("error " + rest);
                        over = true;
                    }
                    default -> fail(where + "unknown line: " + line);
                }
            }
            return new Vector(name, limit, feeds, eof, expected);
        }

        private static byte[] hex(String text, String where) {
            String digits = text.replaceAll("\\s+", "");
            try {
                return HEX.parseHex(digits);
            } catch (IllegalArgumentException e) {
                return fail(where + "not hex bytes: " + text);
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
