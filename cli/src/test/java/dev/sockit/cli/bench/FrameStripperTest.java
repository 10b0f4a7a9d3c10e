package dev.sockit.cli.bench;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The bench's WebSocket framing, without sockets: requests framed, replies' frames stripped however they are cut. */
class FrameStripperTest {

    static byte[] serverFrame(int opcode, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80 | opcode);
        int n = payload.length;
        if (n < 126) {
            out.write(n);
        } else if (n < 65536) {
            out.write(126);
            out.write(n >>> 8);
            out.write(n);
        } else {
            out.write(127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) n >>> shift));
            }
        }
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /** Feeds {@code stream} cut into reads of {@code chunk} bytes, in a direct buffer like the loop's. */
    static String strip(byte[] stream, int chunk) {
        FrameStripper stripper = new FrameStripper();
        ByteBuffer in = ByteBuffer.allocateDirect(Math.max(chunk, 1));
        ByteBuffer out = ByteBuffer.allocateDirect(FrameStripper.outputFor(in.capacity()));
        StringBuilder lines = new StringBuilder();
        for (int at = 0; at < stream.length; at += chunk) {
            in.clear();
            in.put(stream, at, Math.min(chunk, stream.length - at)).flip();
            assertThat(stripper.strip(in, out)).as(String.valueOf(stripper.failure())).isTrue();
            byte[] got = new byte[out.remaining()];
            out.get(got);
            lines.append(new String(got, ISO_8859_1));
        }
        return lines.toString();
    }

    @Test
    void turnsFramesOfEveryLengthEncodingIntoLinesHoweverTheReadsCutThem() {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        StringBuilder expected = new StringBuilder();
        for (int n : new int[] {0, 5, 125, 126, 300, 65535, 70000}) {
            byte[] payload = "x".repeat(n).getBytes(ISO_8859_1);
            stream.writeBytes(serverFrame(1, payload));
            stream.writeBytes(serverFrame(9, new byte[] {1, 2})); // a ping between: skipped
            expected.append("x".repeat(n)).append('\n');
        }
        byte[] all = stream.toByteArray();
        for (int chunk : new int[] {1, 2, 3, 7, 64, 8192, all.length}) {
            assertThat(strip(all, chunk)).as("reads of %d bytes", chunk).isEqualTo(expected.toString());
        }
    }

    @Test
    void aCloseFrameEndsTheConnection() {
        FrameStripper stripper = new FrameStripper();
        ByteBuffer in = ByteBuffer.wrap(serverFrame(8, new byte[] {3, (byte) 0xE9}));
        assertThat(stripper.strip(in, ByteBuffer.allocate(FrameStripper.outputFor(in.capacity())))).isFalse();
        assertThat(stripper.failure()).contains("close");
    }

    @Test
    void framedRequestsCarryTheLineBehindAMaskedTextHeader() {
        for (int size : new int[] {0, 10, 126, 70000}) {
            LinePattern framed = LinePattern.requests(size).framed();
            ByteBuffer out = ByteBuffer.allocate(framed.length() * 2);
            // Copied in two pieces, as the send buffer fills: the cut falls inside the header.
            framed.copyTo(3, 0, 3, out);
            framed.copyTo(3, 3, framed.length() - 3, out);
            out.flip();
            assertThat(out.remaining()).isEqualTo(framed.length());
            assertThat(out.get(0) & 0xFF).isEqualTo(0x81);
            assertThat(out.get(1) & 0x80).isEqualTo(0x80);
            int header = framed.length() - size;
            byte[] payload = new byte[size];
            out.get(header, payload);
            assertThat(new String(payload, ISO_8859_1)).isEqualTo(LinePattern.requests(size).text(3, Integer.MAX_VALUE));
        }
    }
}
