package dev.sockit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The exit status after Ctrl-C is 130 and after SIGTERM 143, as for any program a signal
 * stops, whether the console or the prompt read the keys or the JVM got the signal. The
 * commands start with SIGINT's default action even when this run ignores it (see {@link Sigint}).
 */
class InterruptTest {

    private static final int INTERRUPTED = 130; // 128 + SIGINT
    private static final int TERMINATED = 143;  // 128 + SIGTERM
    private static final String CTRL_C = "\u0003";

    @Test
    void aServerStoppedByCtrlCExitsWith130() throws Exception {
        try (SockitProcess server = SockitProcess.server()) {
            signal("INT", server.process().pid());
            assertThat(server.exitStatus()).isEqualTo(INTERRUPTED);
            assertThat(server.restOfOut()).contains("Server stopped.");
        }
    }

    @Test
    void aServerStoppedBySigtermExitsWith143() throws Exception {
        try (SockitProcess server = SockitProcess.server()) {
            server.process().toHandle().destroy();
            assertThat(server.exitStatus()).isEqualTo(TERMINATED);
        }
    }

    @Test
    void aServerWhoseConsoleReadsCtrlCExitsWith130() throws Exception {
        try (Terminal terminal = Terminal.start("server", "tcp://127.0.0.1:0")) {
            terminal.await("console: type /help").await("> ");
            terminal.type(CTRL_C);
            assertThat(terminal.exitStatus()).as(terminal.screen()).isEqualTo(INTERRUPTED);
            assertThat(terminal.screen()).contains("Server stopped.");
        }
    }

    @Test
    void aServerWhoseConsoleIsToldToQuitExitsWithZero() throws Exception {
        try (Terminal terminal = Terminal.start("server", "tcp://127.0.0.1:0")) {
            terminal.await("console: type /help").await("> ");
            terminal.type("/quit\r");
            assertThat(terminal.exitStatus()).as(terminal.screen()).isZero();
        }
    }

    @Test
    void anInteractiveClientLeftWithCtrlCExitsWith130() throws Exception {
        try (SockitProcess server = SockitProcess.server("--quiet");
             Terminal terminal = Terminal.start("client", server.endpoint())) {
            terminal.await(InteractiveSession.PROMPT);
            terminal.type("hello\r").await("server received your message.");
            terminal.type(CTRL_C);
            assertThat(terminal.exitStatus()).as(terminal.screen()).isEqualTo(INTERRUPTED);
        }
    }

    private static void signal(String name, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
    }
}
