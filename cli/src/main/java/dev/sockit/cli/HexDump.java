package dev.sockit.cli;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * {@code -x/--hexdump}: every chunk that crosses a connection, each way, as socat {@code -x}
 * heads it (direction, time, length, the stream offsets it spans) and ncat {@code -x} draws it
 * (rows of 16 bytes: offset, hex in two groups of 8, the printable bytes):
 *
 * <pre>
 * &gt; 2026/12/03 06:28:37.000196  length=20 from=0 to=19  connection 1 127.0.0.1:50312
 * 0000   68 65 6c 6c 6f 20 77 6f  72 6c 64 2c 20 74 68 69  hello.world,.thi
 * 0010   73 20 69 73                                       s.is
 * </pre>
 *
 * {@code >} is what this end sent (a relay: from the client to the target), {@code <} what it
 * received. Offsets count from the start of each direction of each connection, so a reader
 * finds a byte of the stream by its offset. Chunks from several connections never interleave:
 * each is written whole.
 */
final class HexDump implements AutoCloseable {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss.SSSSSS", Locale.ROOT)
            .withZone(ZoneId.systemDefault());
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final PrintStream out;
    private final boolean owned;

    private HexDump(PrintStream out, boolean owned) {
        this.out = out;
        this.owned = owned;
    }

    /**
     * A dump to {@code file}, which it creates or empties, or to stderr for {@code -}.
     *
     * @throws IOException saying which file cannot be written
     */
    static HexDump open(String file) throws IOException {
        if (file == null || file.equals("-")) {
            return new HexDump(System.err, false);
        }
        if (file.contains("://") || file.startsWith("unix:")) {
            throw new IllegalArgumentException("-x/--hexdump took " + file + " as the file to write; put the endpoint"
                    + " first (sockit client " + file + " -x), or write -x - for stderr, -x FILE for a file");
        }
        try {
            return new HexDump(new PrintStream(new FileOutputStream(Path.of(file).toFile()), false,
                    StandardCharsets.US_ASCII), true);
        } catch (IOException e) {
            throw new IOException("cannot write the hex dump to " + file + ": " + e.getMessage(), e);
        }
    }

    /** The offsets of one connection, each way; a dump of a new connection starts at 0. */
    final class Stream {
        private final String label;
        private long sent;
        private long received;

        private Stream(String label) {
            this.label = label;
        }

        /** Dumps bytes this end sent (or, in a relay, carried forward). */
        void sent(byte[] bytes) {
            long from;
            synchronized (this) {
                from = sent;
                sent += bytes.length;
            }
            write('>', label, from, bytes);
        }

        /** Dumps bytes this end received (or, in a relay, carried back). */
        void received(byte[] bytes) {
            long from;
            synchronized (this) {
                from = received;
                received += bytes.length;
            }
            write('<', label, from, bytes);
        }
    }

    /** Offsets for one connection, its chunks headed by {@code label} (null: none, for a client's one connection). */
    Stream stream(String label) {
        return new Stream(label);
    }

    private void write(char direction, String label, long from, byte[] bytes) {
        StringBuilder b = new StringBuilder(80 + bytes.length * 4);
        b.append(direction).append(' ').append(TIME.format(Instant.now())).append("  length=").append(bytes.length)
                .append(" from=").append(from).append(" to=").append(from + bytes.length - 1);
        if (label != null) {
            b.append("  ").append(label);
        }
        b.append('\n');
        for (int row = 0; row < bytes.length; row += 16) {
            String offset = Long.toHexString(from + row);
            b.append("0".repeat(Math.max(0, 4 - offset.length()))).append(offset).append("  ");
            for (int i = 0; i < 16; i++) {
                if (i == 8) {
                    b.append(' ');
                }
                if (row + i < bytes.length) {
                    int v = bytes[row + i] & 0xff;
                    b.append(' ').append(HEX[v >> 4]).append(HEX[v & 0xf]);
                } else {
                    b.append("   ");
                }
            }
            b.append("  ");
            for (int i = row; i < Math.min(row + 16, bytes.length); i++) {
                int v = bytes[i] & 0xff;
                b.append(v > 0x20 && v < 0x7f ? (char) v : '.'); // a space too, as ncat shows it
            }
            b.append('\n');
        }
        synchronized (out) {
            out.print(b);
            out.flush();
        }
    }

    @Override
    public void close() {
        if (owned) {
            out.close();
        }
    }
}
