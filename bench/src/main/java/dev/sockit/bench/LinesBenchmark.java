package dev.sockit.bench;

import dev.sockit.Message;
import dev.sockit.framing.Framing;
import dev.sockit.framing.FramingException;
import dev.sockit.framing.Lines;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The {@code lines} framing without sockets: nanoseconds and, with {@code -prof gc}, bytes
 * allocated per message, to decode one line, to encode one, and both (what an echo server
 * does per message).
 *
 * <pre>
 * bench/jmh.sh LinesBenchmark -prof gc
 * bench/jmh.sh LinesBenchmark.decode -p size=128 -p buffer=heap
 * </pre>
 *
 * <p>{@code buffer} is where the line sits: {@code heap}, as SocketConnection reads today, or
 * {@code direct}, as a zero-copy read path would; the decoder has a separate loop for each.
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LinesBenchmark {

    /** Bytes in the line, newline excluded: a chat message, a small request, a page. */
    @Param({"16", "128", "4096"})
    int size;

    @Param({"heap", "direct"})
    String buffer;

    private final Framing lines = Lines.defaults();
    private Framing.Decoder decoder;
    private ByteBuffer in;
    private ByteBuffer out;
    private Message message;

    @Setup
    public void setUp() {
        byte[] line = new byte[size + 1];
        for (int i = 0; i < size; i++) {
            line[i] = (byte) ('a' + i % 26);
        }
        line[size] = '\n';
        boolean direct = buffer.equals("direct");
        in = (direct ? ByteBuffer.allocateDirect(line.length) : ByteBuffer.allocate(line.length)).put(line).flip();
        out = direct ? ByteBuffer.allocateDirect(line.length) : ByteBuffer.allocate(line.length);
        decoder = lines.decoder();
        message = Message.of(Arrays.copyOf(line, size));
    }

    /** Cuts one line out of a read buffer. */
    @Benchmark
    public Message decode() throws FramingException {
        in.position(0);
        return decoder.decode(in);
    }

    /** Writes one message, framed, into a write buffer. */
    @Benchmark
    public ByteBuffer encode() {
        out.clear();
        lines.encode(message, out);
        return out;
    }

    /** Decodes a line and encodes it back: the framing's share of an echo. */
    @Benchmark
    public ByteBuffer decodeThenEncode() throws FramingException {
        in.position(0);
        Message m = decoder.decode(in);
        out.clear();
        lines.encode(m, out);
        return out;
    }
}
