package dev.sockit.fuzz;

import dev.sockit.proxy.ProxyHeader;
import dev.sockit.proxy.ProxyHeaderDecoder;
import dev.sockit.proxy.ProxyHeaderException;
import dev.sockit.proxy.ProxyProtocol;
import dev.sockit.proxy.ProxyProtocol.Version;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The PROXY protocol header decoder under Jazzer, fed as {@code ProxyHeaderReader} feeds it
 * from a socket: a first buffer of 256 bytes, grown once to the cap, the input arriving in
 * pieces its own bytes steer. Checked, for each accepted version and for the default cap and
 * the smallest one allowed:
 * <ul>
 *   <li>only {@link ProxyHeaderException} escapes, and the buffer never has to hold more than
 *       the cap without a header or a refusal (a length field is not trusted);</li>
 *   <li>a refusal or a "not yet" leaves the buffer where it was;</li>
 *   <li>a header takes no more bytes than its version allows (107 for a line, the cap for
 *       version 2), and the bytes after it are the input's, untouched;</li>
 *   <li>cut into pieces or whole, the same input decodes to the same header or is refused;</li>
 *   <li>what ANY reads, the decoder of that version alone reads the same, and the other
 *       version refuses.</li>
 * </ul>
 * Allocation is bounded by a few times the cap beside the harness's own: a buffer sized by a
 * version 2 length field (up to 65,551 bytes) in each decode would go past it.
 */
class ProxyHeaderFuzzTarget extends FuzzTarget {

    private static final int FIRST_READ_BYTES = 256;
    /** The smallest cap the decoder takes: 16 bytes and two Unix addresses. */
    private static final int SMALLEST_CAP = 16 + 2 * 108;
    private static final int[] CAPS = {ProxyProtocol.MAX_HEADER_BYTES, SMALLEST_CAP};

    /** What one decoder made of the input: a header and the bytes it took, or a refusal, or "not yet". */
    private record Outcome(ProxyHeader header, int taken, boolean refused) {
        static final Outcome NOT_YET = new Outcome(null, 0, false);
        static final Outcome REFUSED = new Outcome(null, 0, true);
    }

    @Override
    protected void parse(byte[] input) {
        for (int cap : CAPS) {
            Outcome any = null;
            for (Version version : List.of(Version.ANY, Version.V1, Version.V2)) {
                ProxyHeaderDecoder decoder = new ProxyHeaderDecoder(version, cap);
                Outcome whole = whole(decoder, input, cap);
                Outcome pieces = inPieces(decoder, input, cap);
                check(whole.equals(pieces), () -> version + " at cap " + cap + ": whole " + whole + " but in pieces " + pieces);
                if (version == Version.ANY) {
                    any = whole;
                } else if (any.header() != null) {
                    Outcome read = any;
                    boolean same = read.header().version() == (version == Version.V1 ? 1 : 2);
                    check(same ? whole.equals(read) : whole.refused(), () -> version + " at cap " + cap + " made " + whole
                            + " of what ANY read as " + read);
                }
            }
            Outcome small = any;
            if (cap == SMALLEST_CAP && small.header() != null) {
                // What fits the smallest cap is read the same under the default one.
                Outcome roomy = whole(new ProxyHeaderDecoder(Version.ANY, ProxyProtocol.MAX_HEADER_BYTES), input,
                        ProxyProtocol.MAX_HEADER_BYTES);
                check(roomy.equals(small), () -> "the default cap made " + roomy + " of what the smallest read as " + small);
            }
        }
    }

    /** The input in one buffer, as a read that brought it all. */
    private static Outcome whole(ProxyHeaderDecoder decoder, byte[] input, int cap) {
        ByteBuffer in = ByteBuffer.wrap(input);
        try {
            ProxyHeader header = decoder.decode(in);
            if (header == null) {
                check(in.position() == 0, () -> "\"not yet\" moved the buffer to " + in.position());
                return Outcome.NOT_YET;
            }
            return taken(header, in, input, 0, cap);
        } catch (ProxyHeaderException refused) {
            check(in.position() == 0, () -> "a refusal moved the buffer to " + in.position());
            return Outcome.REFUSED;
        }
    }

    /** The input as reads bring it into a buffer of 256 bytes that grows once, to the cap. */
    private static Outcome inPieces(ProxyHeaderDecoder decoder, byte[] input, int cap) {
        ByteBuffer in = ByteBuffer.allocate(Math.min(FIRST_READ_BYTES, cap));
        int piece = 1;
        for (int at = 0; at < input.length; ) {
            // Reads of 1 to 61 bytes, in a pattern the input's own bytes steer.
            piece = 1 + (piece * 31 + (input[at] & 0xff)) % 61;
            int n = Math.min(Math.min(piece, input.length - at), in.remaining());
            in.put(input, at, n);
            at += n;
            in.flip();
            int start = in.position();
            ByteBuffer read = in;
            try {
                ProxyHeader header = decoder.decode(in);
                if (header != null) {
                    return taken(header, in, input, at - in.limit(), cap);
                }
            } catch (ProxyHeaderException refused) {
                check(read.position() == start, () -> "a refusal moved the buffer to " + read.position());
                return Outcome.REFUSED;
            }
            check(read.position() == start, () -> "\"not yet\" moved the buffer to " + read.position());
            in.compact();
            if (!in.hasRemaining()) {
                int held = in.capacity();
                check(held < cap, () -> "the decoder waited for more with " + held + " bytes held, the whole cap of " + cap);
                in = ByteBuffer.allocate(cap).put(in.flip());
            }
        }
        return Outcome.NOT_YET;
    }

    /**
     * Checks a header the decoder returned from {@code in}, whose first byte is the input's
     * byte {@code offset}; returns it with how many bytes it took.
     */
    private static Outcome taken(ProxyHeader header, ByteBuffer in, byte[] input, int offset, int cap) {
        int taken = in.position();
        check(taken <= (header.version() == 1 ? ProxyHeaderDecoder.MAX_V1_BYTES : cap), () ->
                "a version " + header.version() + " header of " + taken + " bytes, over the cap of " + cap);
        byte[] rest = new byte[in.remaining()];
        in.duplicate().get(rest);
        check(Arrays.equals(rest, 0, rest.length, input, offset + taken, offset + taken + rest.length), () ->
                "the bytes after the header are not the input's");
        Objects.requireNonNull(header.command(), "command");
        return new Outcome(header, taken, false);
    }

    @Override
    protected boolean isRefusal(Exception e) {
        return false; // parse() takes the decoder's refusals itself: anything that escapes is a finding
    }

    @Override
    protected long allocationBound(byte[] input) {
        // The default (the input, the fuzzer's hooks, the refusals' exceptions) and the buffers
        // of each cap. A decoder that trusted a version 2 length field would size eight buffers
        // (ANY and V2, two caps, whole and in pieces) by up to 65,551 bytes: over 512 KiB, past this.
        return super.allocationBound(input) + 4L * (ProxyProtocol.MAX_HEADER_BYTES + SMALLEST_CAP);
    }

    /** Fails with the finding, which is worded only then: building it for each input would be most of what is allocated. */
    private static void check(boolean holds, Supplier<String> finding) {
        if (!holds) {
            throw new AssertionError(finding.get());
        }
    }
}
