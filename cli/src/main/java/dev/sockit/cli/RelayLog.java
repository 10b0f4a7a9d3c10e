package dev.sockit.cli;

import dev.sockit.Connection;
import dev.sockit.Peers;
import dev.sockit.Relay;
import java.io.IOException;
import java.util.Locale;

/**
 * What {@code sockit relay} prints: a line when a peer is joined to the target, and one when it
 * ends, with the bytes carried each way and how long it lasted. Refusals and TLS failures on
 * the listening side are the server's, printed by a quiet {@link ServerLog}.
 */
final class RelayLog implements Relay.Observer {

    private final EventLog log;
    private final boolean quiet;
    private final boolean verbose;
    private final HexDump dump; // null without -x
    // Both connections of a pair map to the pair's dump: each chunk is told with the side it came from.
    private final java.util.Map<Connection, HexDump.Stream> dumps = new java.util.concurrent.ConcurrentHashMap<>();

    RelayLog(EventLog log, boolean quiet, boolean verbose, HexDump dump) {
        this.log = log;
        this.quiet = quiet;
        this.verbose = verbose;
        this.dump = dump;
    }

    @Override
    public void carried(Connection from, Relay.Direction direction, dev.sockit.Message chunk) {
        HexDump.Stream stream = dump == null ? null : dumps.get(from);
        if (stream == null) {
            return;
        }
        if (direction == Relay.Direction.FORWARD) {
            stream.sent(chunk.bytes());
        } else {
            stream.received(chunk.bytes());
        }
    }

    @Override
    public void joined(Connection accepted, Connection target) {
        if (dump != null) {
            HexDump.Stream stream = dump.stream("connection " + accepted.id() + " " + Peers.describe(accepted.remote()));
            dumps.put(accepted, stream);
            dumps.put(target, stream);
        }
        if (quiet) {
            return;
        }
        String peer = Peers.describe(accepted.remote());
        log.info("joined", "Relaying " + peer + " to " + target.protocol() + " " + Peers.describe(target.remote())
                + (verbose ? " (" + ServerLog.facts(accepted) + "; " + ServerLog.facts(target) + ")" : ""),
                "connection", accepted.id(), "remote", peer, "target", Peers.describe(target.remote()),
                "target_local", Peers.describe(target.local()));
    }

    @Override
    public void ended(Connection accepted, Connection target, Relay.Summary summary) {
        dumps.remove(accepted);
        dumps.remove(target);
        if (quiet) {
            return;
        }
        String peer = Peers.describe(accepted.remote());
        log.info("ended", String.format(Locale.ROOT, "Ended %s: %d bytes in, %d bytes out, %.1f s, %s", peer,
                summary.forward(), summary.back(), summary.duration().toMillis() / 1000.0, summary.ending()),
                "connection", accepted.id(), "remote", peer, "bytes_in", summary.forward(), "bytes_out", summary.back(),
                "duration_ms", summary.duration().toMillis(), "reason", summary.ending());
    }

    @Override
    public void unreachable(Connection accepted, IOException why) {
        String peer = Peers.describe(accepted.remote());
        log.warn("unreachable", "sockit: cannot relay " + peer + ": " + why.getMessage(), "connection", accepted.id(),
                "remote", peer, "error", String.valueOf(why.getMessage()));
    }
}
