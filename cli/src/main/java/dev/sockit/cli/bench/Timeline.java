package dev.sockit.cli.bench;

/**
 * When a run starts, when measuring starts (after the warmup) and when it ends, as
 * {@link System#nanoTime()} values shared by every thread of the run.
 */
record Timeline(long startAt, long measureAt, long endAt) {

    static Timeline from(long startAt, BenchSettings settings) {
        long measureAt = startAt + settings.warmup().toNanos();
        return new Timeline(startAt, measureAt, measureAt + settings.duration().toNanos());
    }
}
