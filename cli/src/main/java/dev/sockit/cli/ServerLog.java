package dev.sockit.cli;

import dev.sockit.CloseReason;
import dev.sockit.Connection;
import dev.sockit.ConnectionStats;
import dev.sockit.Message;
import dev.sockit.Observer;
import dev.sockit.Peers;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * What the server prints, as the walk-through does: who connected, each message, who left.
 * Lines for people go through the {@link Printer}, so printing never slows a connection.
 * Problems with peers (over-long lines, the connection limit) go to stderr.
 */
final class ServerLog implements Observer {

    private final Printer out;
    private final PrintStream err;
    private final boolean quiet;
    private final boolean verbose;
    private final int maxLine;

    ServerLog(Printer out, PrintStream err, boolean quiet, boolean verbose, int maxLine) {
        this.out = out;
        this.err = err;
        this.quiet = quiet;
        this.verbose = verbose;
        this.maxLine = maxLine;
    }

    @Override
    public void connected(Connection connection) {
        if (!quiet) {
            out.println("Connected by " + Peers.describe(connection.remote()) + (verbose ? " (" + facts(connection) + ")" : ""));
        }
    }

    /** The socket's five facts: protocol, local address and port, remote address and port. */
    static String facts(Connection connection) {
        return connection.protocol() + ", local " + Peers.describe(connection.local()) + ", remote "
                + Peers.describe(connection.remote());
    }

    @Override
    public void received(Connection connection, Message message) {
        if (!quiet) {
            out.println(printable(message.text()));
        }
    }

    @Override
    public void closed(Connection connection, CloseReason reason) {
        String peer = Peers.describe(connection.remote());
        if (reason.text().startsWith("TLS handshake")) {
            // Refused before it was ever "Connected by": one line on stderr says it all.
            err.println("sockit: " + peer + ": " + reason.text());
            return;
        }
        if (reason.code() == CloseReason.Code.PROTOCOL_ERROR) {
            String advice = reason.text().startsWith("line longer") ? " (raise it with --max-line, now " + maxLine + ")"
                    : reason.text().startsWith("frame of") ? " (raise it with --max-frame)" : "";
            err.println("sockit: " + reason.text() + " from " + peer + "; connection closed" + advice);
        }
        if (quiet) {
            return;
        }
        ConnectionStats stats = connection.stats();
        Duration age = stats.age(Instant.now());
        String why = switch (reason.code()) {
            case PEER_CLOSED, CLOSED -> "";
            default -> ": " + reason.text();
        };
        out.println(String.format(Locale.ROOT, "Disconnected %s (%d message%s, %.1f s)%s", peer, stats.messagesIn(),
                stats.messagesIn() == 1 ? "" : "s", age.toMillis() / 1000.0, why));
    }

    @Override
    public void rejected(SocketAddress peer, CloseReason reason) {
        String flag = reason.isPerSourceLimit() ? "--max-per-source" : "--max-connections";
        err.println("sockit: refused " + Peers.describe(peer) + ": " + reason.text() + " (raise it with " + flag + ")");
    }

    @Override
    public void refused(SocketAddress peer, String why) {
        err.println("sockit: refused " + Peers.describe(peer) + ": " + why);
    }

    @Override
    public void handlerFailed(Connection connection, Throwable failure) {
        err.println("sockit: handler failed on " + connection + ": " + failure);
        if (verbose) {
            StringWriter trace = new StringWriter();
            failure.printStackTrace(new PrintWriter(trace));
            err.print(trace);
        }
    }

    @Override
    public void acceptFailed(Exception failure) {
        err.println("sockit: accept failed: " + failure.getMessage()
                + (String.valueOf(failure.getMessage()).contains("Too many open files")
                        ? " (raise the open-file limit with ulimit -n, or lower --max-connections)" : ""));
    }

    @Override
    public void tlsReloaded(java.util.List<java.nio.file.Path> files) {
        out.println("TLS certificate reloaded from " + join(files) + "; new connections use it");
    }

    @Override
    public void tlsReloadFailed(java.util.List<java.nio.file.Path> files, Exception failure) {
        err.println("sockit: TLS certificate files changed but cannot be used, keeping the previous ones: "
                + failure.getMessage());
    }

    private static String join(java.util.List<java.nio.file.Path> files) {
        return String.join(", ", files.stream().map(String::valueOf).toList());
    }

    /** Control characters shown as escapes, so that a peer cannot drive the operator's terminal. */
    static String printable(String text) {
        StringBuilder b = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) && c != '\t') {
                if (b == null) {
                    b = new StringBuilder(text.length() + 8).append(text, 0, i);
                }
                b.append(switch (c) {
                    case '\n' -> "\\n";
                    case '\r' -> "\\r";
                    default -> String.format(Locale.ROOT, "\\x%02x", (int) c);
                });
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? text : b.toString();
    }
}
