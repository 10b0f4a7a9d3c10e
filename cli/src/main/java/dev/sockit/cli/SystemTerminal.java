package dev.sockit.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.InfoCmp;

/**
 * JLine's terminal for the client's prompt and the server's console. The client builds it
 * ({@link #build}) once its first prompt is drawn (EarlyPrompt), so that its set-up (about 50 ms
 * at start, docs/performance.md) takes no CPU from the connection; on a dumb terminal, where
 * the prompt waits for it, on a thread of its own ({@link #start}) while it connects. The
 * server's console builds it once the server listens.
 *
 * <p>JLine asks the system for the terminal's capabilities by running {@code infocmp -x $TERM}
 * at every start (a process, 10-20 ms), and uses the copy it carries only when that fails. For
 * the terminal types it carries (xterm, xterm-256color, screen, rxvt, ansi, ...) that copy is
 * given first here, so no process is started; other types still ask infocmp. Its encoding is
 * given too (see {@link #build}).
 */
final class SystemTerminal {

    private final CompletableFuture<Terminal> terminal = new CompletableFuture<>();
    private final AtomicBoolean taken = new AtomicBoolean();

    private SystemTerminal() {
    }

    /** Starts building the terminal now, on a daemon thread; {@link #get} waits for it. */
    static SystemTerminal start() {
        SystemTerminal pending = new SystemTerminal();
        Thread.ofPlatform().name("sockit-terminal").daemon(true).start(() -> {
            try {
                pending.terminal.complete(build());
            } catch (Throwable e) {
                pending.terminal.completeExceptionally(e);
            }
        });
        return pending;
    }

    /** The terminal, once built; whoever takes it closes it. */
    Terminal get() throws IOException {
        taken.set(true);
        try {
            return terminal.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while setting up the terminal", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw new IOException("cannot set up the terminal: " + e.getCause(), e.getCause());
        }
    }

    /** Closes the terminal if it was built and nobody took it: gives the terminal's settings and signals back. */
    void close() {
        if (taken.get()) {
            return;
        }
        terminal.thenAccept(built -> {
            try {
                built.close();
            } catch (IOException e) {
                // Nothing was changed on it yet; nothing to restore.
            }
        });
    }

    /** Builds the system terminal at once, on this thread. */
    static Terminal build() throws IOException {
        String type = System.getProperty("org.jline.terminal.type", System.getenv("TERM"));
        if (type != null && InfoCmp.getLoadedInfoCmp(type) == null) {
            String carried = InfoCmp.getDefaultInfoCmp(type);
            if (carried != null) {
                InfoCmp.setLoadedInfoCmp(type, carried);
            }
        }
        // The encoding JLine would settle on anyway (with no code page given it asks for charsets
        // "ms0" and "cp0", then takes the default), given so that it does not ask: a charset the
        // JDK lacks is looked for in every jar on the class path, each opened and its directory
        // read by the interpreter, on the way to the prompt (docs/performance.md).
        return TerminalBuilder.builder().system(true).encoding(Charset.defaultCharset()).build();
    }
}
