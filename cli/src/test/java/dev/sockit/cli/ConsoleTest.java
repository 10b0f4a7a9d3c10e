package dev.sockit.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** The server's console, driven through a pipe with --console, against plain-socket peers. */
class ConsoleTest {

    private static final String PEER = "127\\.0\\.0\\.1:\\d+";

    /** A plain socket connected to the server, once the server has printed that it connected. */
    private static Socket connect(SockitProcess server) throws IOException {
        Socket peer = new Socket();
        peer.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
        peer.setSoTimeout(10_000);
        server.awaitOut("Connected by " + PEER);
        return peer;
    }

    private static BufferedReader lines(Socket peer) throws IOException {
        return new BufferedReader(new InputStreamReader(peer.getInputStream(), UTF_8));
    }

    @Test
    void allAndSendReachAConnectedPeer() throws Exception {
        try (SockitProcess server = SockitProcess.server("--console");
             Socket peer = connect(server)) {
            BufferedReader in = lines(peer);
            server.writeLine("/all hello, everyone");
            assertThat(in.readLine()).isEqualTo("hello, everyone");
            assertThat(server.awaitOut("sent to .*")).isEqualTo("sent to 1 connection");
            server.writeLine("/send 1 just for you");
            assertThat(in.readLine()).isEqualTo("just for you");
            assertThat(server.awaitOut("sent to .*")).isEqualTo("sent to #1");
            server.writeLine("plain text goes to all");
            assertThat(in.readLine()).isEqualTo("plain text goes to all");
        }
    }

    @Test
    void kickClosesTheConnectionWithTheReasonLine() throws Exception {
        try (SockitProcess server = SockitProcess.server("--console");
             Socket peer = connect(server)) {
            server.writeLine("/kick 1 flooding");
            assertThat(new String(peer.getInputStream().readAllBytes(), UTF_8)).isEqualTo("error: kicked: flooding\n");
            assertThat(server.awaitOut("kicked #1 .*")).matches("kicked #1 \\(" + PEER + "\\): kicked: flooding");
            assertThat(server.awaitOut("Disconnected .*")).endsWith(": kicked: flooding");
        }
    }

    @Test
    void listAndStatsShowTheConnection() throws Exception {
        try (SockitProcess server = SockitProcess.server("--console");
             Socket peer = connect(server)) {
            peer.getOutputStream().write("hi\n".getBytes(UTF_8));
            assertThat(lines(peer).readLine()).isEqualTo("server received your message.");
            server.writeLine("/list");
            assertThat(server.awaitOut("\\d+ connections?:")).isEqualTo("1 connection:");
            assertThat(server.nextOut()).matches("  #1  " + PEER
                    + "  since \\d\\d:\\d\\d:\\d\\d \\(\\d+\\.\\d s\\)  in 1  out 1  queued 0 bytes");
            server.writeLine("/stats");
            assertThat(server.awaitOut("\\d+ open, .*"))
                    .isEqualTo("1 open, 1 accepted, 0 rejected, 0 refused; messages: 1 in, 1 out; bytes: 3 in, 30 out");
        }
    }

    @Test
    void anUnknownCommandIsOneLineThatPointsToHelp() throws Exception {
        try (SockitProcess server = SockitProcess.server("--console")) {
            server.writeLine("/shout hey");
            assertThat(server.awaitOut("unknown command.*")).isEqualTo("unknown command \"/shout\"; try /help");
            server.writeLine("/help");
            assertThat(server.awaitOut("/kick.*")).startsWith("/kick ID [REASON]");
        }
    }

    @Test
    void quitStopsTheServerGracefullyWithStatusZero() throws Exception {
        try (SockitProcess server = SockitProcess.server("--console");
             Socket peer = connect(server)) {
            server.writeLine("/quit");
            assertThat(peer.getInputStream().read()).as("the server closes our connection").isEqualTo(-1);
            assertThat(server.exitStatus()).isZero();
            assertThat(server.restOfOut()).contains("Server stopped.");
            assertThat(server.restOfErr()).anySatisfy(line -> assertThat(line).startsWith("sockit: stopping"));
        }
    }

    @Test
    void theServerGoesOnWhenConsoleInputEnds() throws Exception {
        try (SockitProcess server = SockitProcess.server("--console")) {
            server.endInput();
            assertThat(server.awaitErr("sockit: console input ended.*")).contains("the server goes on");
            try (SockitProcess client = SockitProcess.start("client", server.endpoint()).input("still there?\n")) {
                assertThat(client.restOfOut()).containsExactly("server received your message.");
            }
        }
    }

    @Test
    void withoutATerminalTheConsoleIsOffUnlessAskedFor() throws Exception {
        try (SockitProcess server = SockitProcess.server()) {
            server.writeLine("/quit");
            server.endInput();
            try (SockitProcess client = SockitProcess.start("client", server.endpoint()).input("hello\n")) {
                assertThat(client.restOfOut()).containsExactly("server received your message.");
            }
            assertThat(server.process().isAlive()).isTrue();
        }
    }

    @Test
    void aBackgroundProcessIsToldApartFromAForegroundOne() {
        // /proc/PID/stat: pid (comm) state ppid pgrp session tty_nr tpgid ...
        assertThat(ServerConsole.inForeground("4242 (java) S 100 4242 100 34816 4242 4194304")).isTrue();
        assertThat(ServerConsole.inForeground("4242 (my (odd) name) S 100 4242 100 34816 999 4194304")).isFalse();
        assertThat(ServerConsole.inForeground("4242 (java) S 1 4242 4242 0 -1 4194304")).isFalse();
    }
}
