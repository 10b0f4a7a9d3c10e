package dev.sockit.transport;

import dev.sockit.Endpoint;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Locale;

/**
 * Turns the JDK's terse socket exceptions into sentences that say what failed, with which
 * value, and what to do. Classified by exception type first; the JDK gives some conditions
 * (address in use, reset) only as the operating system's text, so that text is read last.
 */
public final class Errors {

    private Errors() {}

    /** Why listening on {@code endpoint} failed, as an exception that says what to do. */
    public static IOException listenFailed(Endpoint endpoint, Exception cause) {
        String why = lower(cause);
        String advice;
        if (why.contains("already in use")) {
            advice = "address already in use (is another server running there? try "
                    + endpoint.withPort(endpoint.port() + 1) + ")";
        } else if (why.contains("cannot assign") || why.contains("not available")) {
            advice = "this machine has no address " + endpoint.host()
                    + " (listen on 127.0.0.1, 0.0.0.0 for every interface, or one of its own addresses)";
        } else if (why.contains("permission denied") || why.contains("access denied")) {
            advice = "permission denied (ports below 1024 need privileges; choose a port from 1024 up)";
        } else if (cause instanceof UnresolvedAddressException || why.contains("unresolved")) {
            advice = unknownHost(endpoint);
        } else {
            advice = why;
        }
        return new IOException("cannot listen on " + endpoint + ": " + advice, cause);
    }

    /** Why connecting to {@code endpoint} failed, as an exception that says what to do. */
    public static IOException connectFailed(Endpoint endpoint, Exception cause) {
        String why = lower(cause);
        String advice;
        if (cause instanceof UnresolvedAddressException || cause instanceof java.net.UnknownHostException) {
            advice = unknownHost(endpoint);
        } else if (cause instanceof ConnectException && why.contains("refused")) {
            advice = "connection refused — is a server running? (sockit server " + endpoint + ")";
        } else if (cause instanceof NoRouteToHostException || why.contains("unreachable")) {
            advice = "no route to host " + endpoint.host() + " (is the address right and the network up?)";
        } else if (cause instanceof BindException || why.contains("cannot assign")) {
            advice = "no local address or port to connect from (" + why + ")";
        } else {
            advice = why;
        }
        ConnectException failure = new ConnectException("cannot connect to " + endpoint + ": " + advice);
        failure.initCause(cause);
        return failure;
    }

    /** A short description of an I/O failure on an open connection: "connection reset by peer". */
    public static String describe(IOException e) {
        String why = lower(e);
        if (why.contains("reset")) {
            return "connection reset by peer";
        }
        if (why.contains("broken pipe")) {
            return "peer stopped reading (broken pipe)";
        }
        if (e instanceof SocketException || why.isEmpty()) {
            return "connection broken: " + (why.isEmpty() ? e.getClass().getSimpleName() : why);
        }
        return why;
    }

    private static String unknownHost(Endpoint endpoint) {
        String host = endpoint.host();
        int zone = host.indexOf('%');
        if (zone >= 0) {
            return "cannot resolve " + host + ": the zone id " + host.substring(zone + 1) + " must name an interface that"
                    + " has an IPv6 link-local address (see ip -6 addr)";
        }
        return "unknown host " + host + " (check the name, or use an address like 127.0.0.1)";
    }

        private static String lower(Exception e) {
        String message = e.getMessage();
        return message == null ? "" : message.toLowerCase(Locale.ROOT);
    }
}
