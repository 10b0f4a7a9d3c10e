package dev.sockit.cli;

import dev.sockit.CloseReason;
import dev.sockit.Connection;
import dev.sockit.Endpoint;
import dev.sockit.ConnectionStats;
import dev.sockit.Message;
import dev.sockit.Observer;
import dev.sockit.Peers;
import dev.sockit.proxy.ProxyHeader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * What the server prints, as the walk-through does: who connected, each message, who left.
 * Lines for people go through the {@link Printer}, so printing never slows a connection.
 * Problems with peers (over-long lines, the connection limit) go to stderr. Each is an event
 * of the {@link EventLog}, printed as text or, with {@code --log-format json}, as JSON.
 */
final class ServerLog implements Observer {

    private final EventLog log;
    private final boolean quiet;
    private final boolean verbose;
    private final int maxLine;
    private final boolean chat;
    private final MessagePreview messages;
    private final Endpoint endpoint;

    /**
     * @param chat whether the server relays messages between clients, so that each message's
     *     line says who said it, {@code [ID] ADDRESS: text} (in JSON, field {@code sender})
     * @param messages which messages are printed, and how much of each
     * @param endpoint where the server listens, to name a Unix peer refused before it had an id
     */
    ServerLog(EventLog log, boolean quiet, boolean verbose, int maxLine, boolean chat, MessagePreview messages,
            Endpoint endpoint) {
        this.log = log;
        this.quiet = quiet;
        this.verbose = verbose;
        this.maxLine = maxLine;
        this.chat = chat;
        this.messages = messages;
        this.endpoint = endpoint;
    }

    @Override
    public void connected(Connection connection) {
        if (!quiet && !healthCheck(connection)) {
            log.info("connected", "Connected by " + Peers.describe(connection)
                    + (verbose ? " (" + facts(connection) + ")" : ""), "connection", connection.id(),
                    "remote", Peers.describe(connection), "protocol", connection.protocol(),
                    "local", Peers.describe(connection.local()));
        }
    }

    /**
     * A load balancer's own connection, such as its health check: a PROXY header with the
     * LOCAL command. One comes every few seconds from each balancer, so the log leaves them
     * out unless --verbose; they are served all the same.
     */
    private static boolean healthCheck(Connection connection) {
        return connection.proxyHeader().map(h -> h.command() == ProxyHeader.Command.LOCAL).orElse(false);
    }

    /** The socket's five facts: protocol, local address and port, remote address and port. */
    static String facts(Connection connection) {
        return connection.protocol() + ", local " + Peers.describe(connection.local()) + ", remote "
                + Peers.describe(connection);
    }

    @Override
    public void received(Connection connection, Message message) {
        if (quiet) {
            return;
        }
        String shown = messages.line(message);
        if (shown == null) {
            return;
        }
        reportHidden();
        String peer = Peers.describe(connection);
        log.info("received", chat ? "[" + connection.id() + "] " + peer + ": " + shown : shown,
                "connection", connection.id(), "remote", peer, "sender", chat ? connection.id() : null,
                "bytes", message.length());
    }

    /** {@return false when no message would be printed}: a discard server's, unless --show-messages. */
    @Override
    public boolean watchesMessages() {
        return !quiet && messages.shows();
    }

    /** Says how many messages were not shown since it last said so, if any. */
    private void reportHidden() {
        long hidden = messages.takeHidden();
        if (hidden > 0) {
            log.info("messages_hidden", MessagePreview.hiddenNotice(hidden), "messages", hidden);
        }
    }

    @Override
    public void closed(Connection connection, CloseReason reason) {
        String peer = Peers.describe(connection);
        String code = reason.code().name().toLowerCase(Locale.ROOT);
        if (reason.text().startsWith("TLS handshake")) {
            // Refused before it was ever "Connected by": one line on stderr says it all.
            log.warn("tls_handshake_failed", "sockit: " + peer + ": " + reason.text(), "connection", connection.id(),
                    "remote", peer, "reason", reason.text(), "reason_code", code);
            return;
        }
        if (reason.text().startsWith("HTTP ") || reason.text().startsWith("served the page")) {
            // A WebSocket endpoint answered plain HTTP (its page, a 404, a refused upgrade): never "Connected by".
            if (reason.code() == CloseReason.Code.PROTOCOL_ERROR) {
                log.warn("http_refused", "sockit: " + peer + ": " + reason.text(), "connection", connection.id(),
                        "remote", peer, "reason", reason.text(), "reason_code", code);
            } else if (!quiet) {
                log.info("http", peer + ": " + reason.text(), "connection", connection.id(), "remote", peer,
                        "reason", reason.text(), "reason_code", code);
            }
            return;
        }
        if (reason.code() == CloseReason.Code.PROTOCOL_ERROR) {
            String advice = reason.text().startsWith("line longer") ? " (raise it with --max-line, now " + maxLine + ")"
                    : reason.text().startsWith("frame of") ? " (raise it with --max-frame)"
                    : reason.text().startsWith("WebSocket message of") ? " (raise it with --max-message)" : "";
            log.warn("protocol_error", "sockit: " + reason.text() + " from " + peer + "; connection closed" + advice,
                    "connection", connection.id(), "remote", peer, "reason", reason.text(), "reason_code", code);
        }
        if (quiet) {
            return;
        }
        reportHidden();
        ConnectionStats stats = connection.stats();
        Duration age = stats.age(Instant.now());
        if (healthCheck(connection) && stats.messagesIn() == 0) {
            if (verbose) {
                log.info("health_check", "Health check from " + peer + " (PROXY LOCAL header), " + reason.text(),
                        "connection", connection.id(), "remote", peer, "reason", reason.text(), "reason_code", code);
            }
            return;
        }
        String why = switch (reason.code()) {
            case PEER_CLOSED, CLOSED -> "";
            default -> ": " + reason.text();
        };
        log.info("disconnected", String.format(Locale.ROOT, "Disconnected %s (%d message%s, %.1f s)%s", peer,
                stats.messagesIn(), stats.messagesIn() == 1 ? "" : "s", age.toMillis() / 1000.0, why),
                "connection", connection.id(), "remote", peer, "messages", stats.messagesIn(),
                "duration_ms", age.toMillis(), "reason", reason.text(), "reason_code", code);
    }

    @Override
    public void rejected(SocketAddress peer, CloseReason reason) {
        String flag = reason.isPerSourceLimit() ? "--max-per-source" : "--max-connections";
        String who = describe(peer);
        log.warn("refused", "sockit: refused " + who + ": " + reason.text() + " (raise it with " + flag
                + ")", "remote", who, "cause", reason.isPerSourceLimit() ? "per_source" : "limit",
                "reason", reason.text());
    }

    @Override
    public void refused(SocketAddress peer, String why) {
        String who = describe(peer);
        log.warn("refused", "sockit: refused " + who + ": " + why, "remote", who, "cause", "denied", "reason", why);
    }

    /** A peer refused before it had a connection id: a Unix peer without a name is named by our socket. */
    private String describe(SocketAddress peer) {
        if (peer instanceof UnixDomainSocketAddress unix && unix.getPath().toString().isEmpty()
                && endpoint.kind() == Endpoint.Kind.UNIX) {
            return "a client of unix:" + endpoint.path();
        }
        return Peers.describe(peer);
    }

    @Override
    public void proxyHeaderRefused(SocketAddress proxy, String why) {
        log.warn("refused", "sockit: refused " + Peers.describe(proxy) + ": bad PROXY header: " + why,
                "remote", Peers.describe(proxy), "cause", "proxy_header", "reason", why);
    }

    @Override
    public void handlerFailed(Connection connection, Throwable failure) {
        String trace = null;
        if (verbose) {
            StringWriter writer = new StringWriter();
            failure.printStackTrace(new PrintWriter(writer));
            trace = writer.toString();
        }
        log.error("handler_failed", "sockit: handler failed on " + connection + ": " + failure
                + (trace == null || log.isJson() ? "" : System.lineSeparator() + trace.stripTrailing()),
                "connection", connection.id(), "remote", Peers.describe(connection), "error", failure.toString(),
                "stack", log.isJson() ? trace : null);
    }

    @Override
    public void acceptFailed(Exception failure) {
        log.error("accept_failed", "sockit: accept failed: " + failure.getMessage()
                + (String.valueOf(failure.getMessage()).contains("Too many open files")
                        ? " (raise the open-file limit with ulimit -n, or lower --max-connections)" : ""),
                "error", String.valueOf(failure.getMessage()));
    }

    @Override
    public void tlsReloaded(List<Path> files) {
        log.info("tls_reloaded", "TLS certificate reloaded from " + join(files) + "; new connections use it",
                "files", join(files));
    }

    @Override
    public void tlsReloadFailed(List<Path> files, Exception failure) {
        log.error("tls_reload_failed", "sockit: TLS certificate files changed but cannot be used, keeping the previous"
                + " ones: " + failure.getMessage(), "files", join(files), "error", String.valueOf(failure.getMessage()));
    }

    private static String join(List<Path> files) {
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
