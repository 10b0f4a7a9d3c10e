package dev.sockit.cli;

import dev.sockit.Retry;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How the client copes with UDP, which loses datagrams without a word. */
final class DatagramOptions {

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "1s", converter = DurationConverter.class,
            description = "UDP: how long to wait for a reply before sending the line again. Default: ${DEFAULT-VALUE}.")
    Duration timeout = Duration.ofSeconds(1);

    @Option(names = "--retries", paramLabel = "N", defaultValue = "2",
            description = "UDP: how many times to send a line again when no reply came; then say so. Default: ${DEFAULT-VALUE}.")
    int retries = 2;

    Retry retry() {
        if (retries < 0) {
            throw new IllegalArgumentException("--retries must be 0 or more, not " + retries);
        }
        return Retry.defaults().attempts(retries + 1).timeout(timeout);
    }
}
