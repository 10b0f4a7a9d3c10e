package dev.sockit.transport;

import java.io.IOException;

/**
 * A connection that can read and forget its input without cutting it into messages, for
 * {@link dev.sockit.Handlers#discard()}: a stream connection over the raw framing, whose
 * messages are only what each read returned. Its counters, limits and ends stay as
 * {@code receive()} would keep them; only the copy of every byte into a message goes
 * (docs/performance.md, "Bulk transfer").
 */
public interface Discardable {

    /**
     * Reads and forgets until the stream ends, as a loop over {@code receive()} would, each
     * read counted as one message (and passed to an observer that
     * {@linkplain dev.sockit.Observer#watchesMessages watches messages}).
     *
     * @return false, having read nothing, when this connection cannot (a framing other than
     *     raw, whose messages and limits need the decoder)
     * @throws IOException as {@code receive()} throws
     */
    boolean discardInput() throws IOException;
}
