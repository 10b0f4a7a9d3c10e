package dev.sockit.transport;

import dev.sockit.proxy.ProxyHeader;
import dev.sockit.proxy.ProxyHeaderDecoder;
import dev.sockit.proxy.ProxyHeaderException;
import dev.sockit.proxy.ProxyProtocol;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads a connection's PROXY protocol header from its socket, before anything else (before
 * TLS): on the connection's own virtual thread, within the protocol's timeout, and into a
 * buffer no larger than its cap. What came after the header in the same read is handed on
 * ({@link Result#early()}), never dropped: a proxy sends the client's first bytes right behind
 * the header, often in one segment.
 */
public final class ProxyHeaderReader {

    // Room for any version 1 line (107 bytes) and the usual version 2 header (16 + 36 + TLVs);
    // a longer version 2 header grows it once, to the protocol's cap.
    private static final int FIRST_READ_BYTES = 256;

    private ProxyHeaderReader() {}

    /**
     * The header, and the bytes after it that came in the same read.
     *
     * @param header the header read
     * @param early  the client's bytes read with it, in read mode; often empty
     */
    public record Result(ProxyHeader header, ByteBuffer early) {}

    /**
     * Reads the header {@code channel} begins with. The channel is closed when the timeout
     * passes first, which wakes the read.
     *
     * @throws ProxyHeaderException when the header is malformed, of a version not accepted,
     *     over the cap, cut short by the peer's close, or not whole within the timeout
     * @throws IOException when the socket fails (a reset)
     */
    public static Result read(SocketChannel channel, ProxyProtocol protocol) throws IOException {
        ProxyHeaderDecoder decoder = protocol.decoder();
        ByteBuffer in = ByteBuffer.allocate(FIRST_READ_BYTES);
        AtomicBoolean expired = new AtomicBoolean();
        ScheduledFuture<?> deadline = Timer.after(protocol.timeout(), () -> {
            expired.set(true);
            Tcp.closeQuietly(channel);
        });
        try {
            for (;;) {
                int n = channel.read(in);
                in.flip();
                if (n < 0) {
                    // What came may be a correct beginning; the decoder says so if it is not.
                    decoder.decode(in);
                    throw new ProxyHeaderException("the proxy closed the connection " + (in.hasRemaining()
                            ? "after " + in.remaining() + " bytes, before its PROXY header was whole"
                            : "without sending a PROXY header"));
                }
                ProxyHeader header = decoder.decode(in);
                if (header != null) {
                    return new Result(header, in.slice());
                }
                in.compact();
                if (!in.hasRemaining()) {
                    // Only a version 2 header within the cap gets here; the decoder refuses any more.
                    in = ByteBuffer.allocate(ProxyProtocol.MAX_HEADER_BYTES).put(in.flip());
                }
            }
        } catch (ClosedChannelException closed) {
            if (expired.get()) {
                in.flip();
                throw new ProxyHeaderException("no whole PROXY header within " + Durations.format(protocol.timeout())
                        + " (" + in.remaining() + " bytes came); connection closed");
            }
            throw closed;
        } finally {
            deadline.cancel(false);
        }
    }
}
