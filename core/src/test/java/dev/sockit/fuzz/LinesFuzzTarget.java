package dev.sockit.fuzz;

import dev.sockit.framing.Framing;
import dev.sockit.framing.Lines;

/** The lines decoder under Jazzer: see {@link FramingFuzzTarget} for what is checked. */
class LinesFuzzTarget extends FramingFuzzTarget {

    @Override
    protected Framing framing(int limit) {
        return Lines.maxLength(limit);
    }

    @Override
    protected int overhead() {
        return 2; // "\r\n"
    }
}
