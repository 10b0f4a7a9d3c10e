package dev.sockit.transport;

import java.time.Duration;

/** Writes durations as people read them: {@code 250 ms}, {@code 0.8 s}, {@code 10 s}. */
public final class Durations {

    private Durations() {}

    /** A short human form of {@code d}. */
    public static String format(Duration d) {
        long millis = d.toMillis();
        if (millis < 1000) {
            return millis + " ms";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + " s";
        }
        return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
