package dev.sockit.cli;

import dev.sockit.Heartbeat;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The liveness options server and client share, gathered into one {@link Heartbeat} policy. */
final class LivenessOptions {

    @Option(names = "--heartbeat", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Ping a peer silent this long, and close it after --heartbeat-misses unanswered pings "
                    + "(needs --framing frames; either side may ping, both answer). Default: off.")
    Duration heartbeat = Duration.ZERO;

    @Option(names = "--heartbeat-misses", paramLabel = "N", defaultValue = "2",
            description = "Unanswered pings in a row before the peer is closed as dead. Default: ${DEFAULT-VALUE}.")
    int misses = 2;

    // One timeout under two names: a handler waits in receive() for the peer, so a peer that
    // sends nothing for this long is both idle and past a read timeout.
    @Option(names = {"--idle-timeout", "--read-timeout"}, paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Close a peer that sends nothing for this long, in any framing (--read-timeout is the same "
                    + "option); not over udp:// or unixgram:, whose server has --session-timeout. Default: off.")
    Duration idleTimeout = Duration.ZERO;

    @Option(names = "--keepalive", paramLabel = "IDLE,INTERVAL,COUNT", split = ",",
            description = "TCP keepalive: probe after IDLE of silence, every INTERVAL, give up after COUNT probes, "
                    + "e.g. 60s,10s,6 (the default). Keeps NAT entries fresh and finds vanished hosts.")
    String[] keepalive;

    @Option(names = "--no-keepalive", description = "Turn TCP keepalive off.")
    boolean noKeepalive;

    @Option(names = "--user-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "TCP_USER_TIMEOUT (Linux): close a TCP connection whose sent data the peer has not acknowledged "
                    + "for this long, e.g. 30s, instead of retransmitting for about 15 minutes. Finds a peer that vanished "
                    + "while data was on its way, which keepalive cannot. Default: off (the system's rule).")
    Duration userTimeout = Duration.ZERO;

    Heartbeat heartbeat() {
        Heartbeat.Keepalive probes = Heartbeat.Keepalive.DEFAULT;
        if (noKeepalive) {
            probes = Heartbeat.Keepalive.OFF;
        } else if (keepalive != null) {
            if (keepalive.length != 3) {
                throw new IllegalArgumentException("--keepalive takes IDLE,INTERVAL,COUNT, e.g. 60s,10s,6; not "
                        + keepalive.length + " values");
            }
            probes = new Heartbeat.Keepalive(true, duration(keepalive[0]), duration(keepalive[1]), count(keepalive[2]));
        }
        if (userTimeout.isNegative() || (!userTimeout.isZero() && userTimeout.toMillis() < 1)) {
            throw new IllegalArgumentException("--user-timeout must be at least 1ms, e.g. 30s; not " + userTimeout);
        }
        return new Heartbeat(heartbeat, misses, idleTimeout, probes, userTimeout);
    }

    private static Duration duration(String text) {
        try {
            return DurationConverter.parse(text);
        } catch (picocli.CommandLine.TypeConversionException e) {
            throw new IllegalArgumentException("--keepalive " + e.getMessage(), e);
        }
    }

    private static int count(String text) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--keepalive COUNT must be a whole number of probes, e.g. 60s,10s,6; not \""
                    + text + "\"");
        }
    }
}
