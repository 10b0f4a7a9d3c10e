package dev.sockit.transport;

import dev.sockit.CloseReason;
import dev.sockit.Message;
import dev.sockit.framing.Framing;
import java.nio.ByteBuffer;
import java.util.function.Function;

/**
 * A framing for a connection that carries no messages: one still in its opening, or one
 * refused before it. It decodes nothing and refuses to encode; its only words, if any, are
 * its farewell.
 */
final class Silent implements Framing {

    private final String name;
    private final Function<CloseReason, byte[]> farewell;

    Silent(String name, Function<CloseReason, byte[]> farewell) {
        this.name = name;
        this.farewell = farewell;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Decoder decoder() {
        return in -> null;
    }

    @Override
    public int encodedLength(Message message) {
        throw new IllegalStateException("no message may be sent on a connection that is " + name);
    }

    @Override
    public void encode(Message message, ByteBuffer out) {
        throw new IllegalStateException("no message may be sent on a connection that is " + name);
    }

    @Override
    public byte[] farewell(CloseReason reason) {
        return farewell.apply(reason);
    }
}
