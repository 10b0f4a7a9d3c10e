package dev.sockit.fuzz;

import dev.sockit.framing.Framing;
import dev.sockit.framing.Frames;

/** The frames decoder, greeting included, under Jazzer: see {@link FramingFuzzTarget} for what is checked. */
class FramesFuzzTarget extends FramingFuzzTarget {

    @Override
    protected Framing framing(int limit) {
        return Frames.maxLength(limit);
    }

    @Override
    protected int overhead() {
        return 5 + 5 + 125; // the greeting, a header, and a control frame's payload however small the limit
    }
}
