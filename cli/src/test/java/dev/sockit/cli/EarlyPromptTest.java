package dev.sockit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.testing.RequiredProgram;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's prompt is drawn before JLine's line editor is ready (EarlyPrompt); keys typed in
 * between must reach the line editor once, shown once, and Ctrl-D and Ctrl-C must end the client
 * there as they do at JLine's prompt.
 *
 * <p>To type in that gap for certain, JLine here sets its terminal up through {@code stty}
 * (its exec provider), and the {@code stty} it finds first waits until the test lets it run:
 * the client draws its prompt, the test types and sees the terminal's echo, and only then does
 * JLine's terminal get built and take the line over.
 */
class EarlyPromptTest {

    private static final String CLEAR_BELOW = "\r\u001b[J"; // the hand-over's erase, on xterm

    @TempDir
    Path folder;

    @Test
    void keysTypedBeforeTheLineEditorIsReadyAreSentOnceAndShownOnce() throws Exception {
        try (SockitProcess server = SockitProcess.server();
             Terminal terminal = gatedClient(server)) {
            terminal.await("Connected to " + server.endpoint() + " (Ctrl-D to quit)\r\n" + InteractiveSession.PROMPT);
            terminal.type("hello").await(InteractiveSession.PROMPT + "hello"); // the terminal's own echo
            openGate();
            terminal.await("\u001b[?2004h" + InteractiveSession.PROMPT + "hello"); // JLine's own prompt, bracketed paste on
            terminal.type("\r").await("server received your message.");
            terminal.type("second\r");
            List<String> received = new ArrayList<>();
            for (String line; !(line = server.nextOut()).endsWith("second"); ) {
                received.add(line);
            }
            assertThat(received).filteredOn(line -> line.contains("hello")).hasSize(1);

            String screen = terminal.screen();
            String shown = screen.replace("\u001b", "\\e").replace("\r", "\\r").replace("\n", "\\n\n");
            String afterHandOver = screen.substring(screen.indexOf(CLEAR_BELOW) + CLEAR_BELOW.length());
            String firstLine = afterHandOver.substring(0, afterHandOver.indexOf("server received your message."));
            assertThat(firstLine.split("hello", -1)).as(shown).hasSize(2); // shown once
            assertThat(firstLine).as(shown).contains(InteractiveSession.PROMPT);
            // Between two lines JLine gives the terminal back its canonical mode, in which a Ctrl-D
            // would be an end-of-file mark again: type it once the third line's reading has begun.
            awaitLineReads(terminal, 3);
            terminal.type("\u0004");
            assertThat(terminal.exitStatus()).as(terminal.screen()).isZero();
        }
    }

    @Test
    void aLineEnteredBeforeTheLineEditorIsReadyIsSent() throws Exception {
        try (SockitProcess server = SockitProcess.server();
             Terminal terminal = gatedClient(server)) {
            terminal.await(InteractiveSession.PROMPT);
            terminal.type("early\r").await("early\r\n");
            openGate();
            terminal.await("server received your message.");
            server.awaitOut(".*early");
            awaitLineReads(terminal, 2);
            terminal.type("\u0004");
            assertThat(terminal.exitStatus()).as(terminal.screen()).isZero();
        }
    }

    @Test
    void ctrlDBeforeTheLineEditorIsReadyEndsTheClient() throws Exception {
        try (SockitProcess server = SockitProcess.server("--quiet");
             Terminal terminal = gatedClient(server)) {
            terminal.await(InteractiveSession.PROMPT);
            // The erased "x" shows once the terminal has taken the keys, Ctrl-D (which it does not echo) with them.
            terminal.type("x\u007f\u0004").await("x\b \b");
            openGate();
            assertThat(terminal.exitStatus()).as(terminal.screen()).isZero();
        }
    }

    @Test
    void ctrlCBeforeTheLineEditorIsReadyEndsTheClientWith130() throws Exception {
        try (SockitProcess server = SockitProcess.server("--quiet");
             Terminal terminal = gatedClient(server)) {
            terminal.await(InteractiveSession.PROMPT);
            terminal.type("\u0003");
            assertThat(terminal.exitStatus()).as(terminal.screen()).isEqualTo(130);
        }
    }

    @Test
    void theEchoOfTypedKeysIsCountedInRowsAsTheTerminalWrapsThem() {
        int prompt = InteractiveSession.PROMPT.length(); // 18 columns
        assertThat(EarlyPrompt.rowsBelowPrompt("", 100, true)).isZero();
        assertThat(EarlyPrompt.rowsBelowPrompt("x".repeat(100 - prompt), 100, true)).isZero(); // fills the row: no wrap yet
        assertThat(EarlyPrompt.rowsBelowPrompt("x".repeat(100 - prompt + 1), 100, true)).isEqualTo(1);
        assertThat(EarlyPrompt.rowsBelowPrompt("one\ntwo\n", 100, true)).isEqualTo(2);
        assertThat(EarlyPrompt.rowsBelowPrompt("ab\0", 100, true)).isZero(); // Ctrl-D's mark echoes nothing
        assertThat(EarlyPrompt.rowsBelowPrompt("\u001b[A".repeat(20), 100, true)).isZero(); // ^[[A: 4 columns each
        assertThat(EarlyPrompt.rowsBelowPrompt("\u001b[A".repeat(21), 100, true)).isEqualTo(1);
        assertThat(EarlyPrompt.rowsBelowPrompt("界".repeat(41), 100, true)).isZero(); // two columns each
        assertThat(EarlyPrompt.rowsBelowPrompt("界".repeat(42), 100, true)).isEqualTo(1);
        assertThat(EarlyPrompt.rowsBelowPrompt("x".repeat(500), 0, true)).isZero(); // width unknown
    }

    /** Waits until JLine has begun reading its {@code n}th line (each begins by turning bracketed paste on). */
    private static void awaitLineReads(Terminal terminal, int n) throws InterruptedException {
        StringBuilder reads = new StringBuilder();
        for (int i = 0; i < n; i++) {
            reads.append(Pattern.quote("\u001b[?2004h" + InteractiveSession.PROMPT)).append(".*");
        }
        terminal.awaitMatching("JLine reading line " + n, "(?s).*" + reads);
    }

    /** The client, with JLine's terminal set up by an stty that waits for {@link #openGate}. */
    private Terminal gatedClient(SockitProcess server) throws IOException {
        Path stty = RequiredProgram.find("stty", "coreutils");
        Path bin = Files.createDirectories(folder.resolve("bin"));
        Path gated = bin.resolve("stty");
        Files.writeString(gated, "#!/bin/sh\nwhile [ ! -e '" + gate() + "' ]; do sleep 0.01; done\nexec '" + stty + "' \"$@\"\n");
        Files.setPosixFilePermissions(gated, PosixFilePermissions.fromString("rwxr-xr-x"));
        return Terminal.startXterm(Map.of("PATH", bin + ":" + System.getenv("PATH")),
                List.of("-Dorg.jline.terminal.provider=exec"), "client", server.endpoint());
    }

    private Path gate() {
        return folder.resolve("open");
    }

    private void openGate() throws IOException {
        Files.createFile(gate());
    }
}
