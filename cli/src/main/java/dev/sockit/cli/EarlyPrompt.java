package dev.sockit.cli;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jline.reader.LineReader;
import org.jline.terminal.Attributes;
import org.jline.terminal.Attributes.ControlChar;
import org.jline.terminal.Attributes.LocalFlag;
import org.jline.terminal.Terminal;
import org.jline.utils.InfoCmp.Capability;
import org.jline.utils.WCWidth;

/**
 * The client's first prompt, drawn as soon as the connection is made instead of once JLine's
 * terminal and line reader are ready (their set-up takes about 50 ms more at start,
 * docs/performance.md), then handed over to the line reader.
 *
 * <p>Keys typed in between wait in the terminal's line discipline, still in canonical mode,
 * which echoes them. At the hand-over ({@link #handOver}) they are read out of canonical mode
 * (JLine sets attributes with {@code TCSANOW}, which keeps pending input), the early prompt and
 * their echo are erased, and the keys go to the line reader as if typed at its own prompt: none
 * is lost, none shown twice, and Enter, arrows and Backspace do what they do there. A Ctrl-D
 * pressed in between is the line discipline's end-of-file mark, which reads as a NUL once out of
 * canonical mode: it is given to the reader as the terminal's VEOF key, so it ends the client as
 * it does at JLine's prompt (a NUL typed in between, Ctrl-Space, reads the same: the line
 * discipline cannot tell them apart). A Ctrl-C is SIGINT from the line discipline, which ends
 * the JVM with status 130 as at any time before the prompt.
 *
 * <p>Keys typed before the early prompt (type-ahead while the JVM started) were echoed above it.
 * When whole lines are waiting the early prompt is not drawn, so they behave as before this
 * class: JLine reads and shows them at its prompt. Only when the terminal is one JLine drives
 * with escape sequences ({@code TERM} set, not dumb) is it drawn at all.
 */
final class EarlyPrompt {

    private volatile boolean handedOver;

    private EarlyPrompt() {
    }

    /**
     * Draws {@code connected} and the prompt below it on standard output, if this terminal allows
     * a hand-over (see above); null if it does not, and nothing was drawn.
     */
    static EarlyPrompt draw(String connected) {
        if (!possible()) {
            return null;
        }
        try {
            // In canonical mode this counts whole lines only: type-ahead the user finished with Enter.
            if (new FileInputStream(FileDescriptor.in).available() > 0) {
                return null;
            }
        } catch (IOException e) {
            return null;
        }
        PrintStream out = System.out;
        out.print(connected + System.lineSeparator() + InteractiveSession.PROMPT);
        out.flush();
        EarlyPrompt early = new EarlyPrompt();
        // Ctrl-C before the hand-over ends the JVM; end the prompt's line, as JLine does after its own Ctrl-C.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!early.handedOver) {
                System.out.println();
            }
        }, "sockit-early-prompt"));
        return early;
    }

    /** Whether this terminal takes an early prompt: one JLine drives with escape sequences. */
    static boolean possible() {
        String type = System.getProperty("org.jline.terminal.type", System.getenv("TERM"));
        return type != null && !type.isEmpty() && !type.startsWith(Terminal.TYPE_DUMB);
    }

    /** Ends the prompt's line when there will be no line editor to hand it to. */
    void abandon() {
        handedOver = true;
        System.out.println();
    }

    /**
     * Gives the line to {@code reader}, just before its first {@code readLine}: reads the keys
     * typed since {@link #draw}, erases the early prompt and their echo, and queues them for
     * the reader. Returns false if a Ctrl-C came during the hand-over itself: the client should
     * end as after a Ctrl-C at the prompt.
     */
    boolean handOver(Terminal terminal, LineReader reader) throws IOException {
        handedOver = true;
        if (terminal.getType().startsWith(Terminal.TYPE_DUMB)) {
            // JLine fell back to a terminal it cannot move the cursor on: its prompt comes on a line of its own.
            terminal.writer().println();
            terminal.flush();
            return true;
        }
        Attributes canonical = terminal.getAttributes();
        // Out of canonical mode the line being typed can be read; while it is, a Ctrl-C is noted, not
        // fatal: JLine leaves SIGINT to the JVM's default outside readLine, which would end the
        // process with the terminal left in raw mode.
        // Set on JLine's signal thread, read here: an AtomicBoolean, so the Ctrl-C is seen.
        AtomicBoolean interrupted = new AtomicBoolean();
        Terminal.SignalHandler before = terminal.handle(Terminal.Signal.INT, signal -> interrupted.set(true));
        String typed;
        try {
            terminal.enterRawMode();
            try {
                typed = pending(terminal);
            } finally {
                terminal.setAttributes(canonical);
            }
        } finally {
            terminal.handle(Terminal.Signal.INT, before);
        }
        int rows = canonical.getLocalFlag(LocalFlag.ECHO)
                ? rowsBelowPrompt(typed, terminal.getWidth(), canonical.getLocalFlag(LocalFlag.ECHOCTL))
                : 0;
        terminal.puts(Capability.carriage_return);
        if (rows > 0 && !terminal.puts(Capability.parm_up_cursor, rows)) {
            for (int i = 0; i < rows; i++) {
                terminal.puts(Capability.cursor_up);
            }
        }
        terminal.puts(Capability.clr_eos);
        terminal.flush();
        if (!typed.isEmpty()) {
            reader.runMacro(typed.replace('\0', (char) canonical.getControlChar(ControlChar.VEOF)));
        }
        return !interrupted.get();
    }

    /** What waits on standard input, out of canonical mode: the keys typed, as the line discipline kept them. */
    private static String pending(Terminal terminal) throws IOException {
        FileInputStream in = new FileInputStream(FileDescriptor.in); // not closed: it is standard input
        byte[] bytes = new byte[in.available()];
        int n = 0;
        for (int r; n < bytes.length && (r = in.read(bytes, n, bytes.length - n)) > 0; ) {
            n += r;
        }
        return new String(bytes, 0, n, terminal.inputEncoding());
    }

    /**
     * How many rows below the prompt's the terminal's echo of {@code typed} left the cursor, on
     * a terminal {@code width} columns wide: a row for each line ended, and for each wrap.
     * Control keys echo as two columns ({@code ^X}) with ECHOCTL; the end-of-file mark echoes nothing.
     */
    static int rowsBelowPrompt(String typed, int width, boolean echoCtl) {
        int rows = 0;
        int column = InteractiveSession.PROMPT.length();
        for (int i = 0; i < typed.length(); ) {
            int c = typed.codePointAt(i);
            i += Character.charCount(c);
            int columns;
            if (c == '\n') {
                rows++;
                column = 0;
                continue;
            } else if (c == '\0') {
                continue;
            } else if (c == '\t') {
                column = width > 0 ? Math.min((column / 8 + 1) * 8, width - 1) : column + 8;
                continue;
            } else if (c < ' ' || c == 0x7f) {
                columns = echoCtl ? 2 : 0;
            } else {
                columns = Math.max(WCWidth.wcwidth(c), 0);
            }
            // A terminal wraps when a character no longer fits, not when the last column fills.
            if (width > 0 && column + columns > width) {
                rows++;
                column = 0;
            }
            column += columns;
        }
        return rows;
    }
}
