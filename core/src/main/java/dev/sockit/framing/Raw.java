package dev.sockit.framing;

import dev.sockit.Message;
import java.nio.ByteBuffer;

/**
 * The {@code raw} framing: bytes as they come. Each read is one message, of whatever size
 * the network delivered, so message boundaries mean nothing; sent messages go out as they are.
 * Use it to relay or inspect a protocol sockit does not know.
 */
public final class Raw implements Framing {

    private static final Raw INSTANCE = new Raw();

    private Raw() {}

    /** {@return the raw framing}; it has no settings. */
    public static Raw bytes() {
        return INSTANCE;
    }

    @Override
    public String name() {
        return "raw";
    }

    @Override
    public Decoder decoder() {
        return in -> {
            if (!in.hasRemaining()) {
                return null;
            }
            Message chunk = Message.copyOf(in, in.position(), in.remaining());
            in.position(in.limit());
            return chunk;
        };
    }

    @Override
    public int encodedLength(Message message) {
        return message.length();
    }

    @Override
    public void encode(Message message, ByteBuffer out) {
        message.writeTo(out);
    }

    @Override
    public String toString() {
        return "raw";
    }
}
