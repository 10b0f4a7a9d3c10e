package dev.sockit.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * A server's {@link SSLContext}, rebuilt when the files it was built from change: each
 * handshake takes {@link #current()}, so new connections use the new certificate while open
 * ones keep the session they have. The files' modification time, size and identity are
 * checked every {@code interval} on the shared {@link Timer}; a polled check works on every
 * file system, including mounted secrets whose files are swapped by symlink.
 *
 * <p>A rebuild that fails (a certificate written before its key, a key that does not match)
 * keeps the old context and is reported; the next change is tried again.
 */
public final class TlsContext implements AutoCloseable {

    /** Builds a context from the files; throws saying what is wrong with them. */
    @FunctionalInterface
    public interface Builder {
        SSLContext build() throws IOException;
    }

    /** Told of each reload: {@code failure} is null when the new files are in use. */
    @FunctionalInterface
    public interface Listener {
        void reloaded(List<Path> files, Exception failure);
    }

    private final Builder builder;
    private final List<Path> files;
    private final Duration interval;
    private final Listener listener;
    private volatile SSLContext current;
    private volatile List<Object> stamps;
    private volatile ScheduledFuture<?> check;
    private volatile boolean closed;

    private TlsContext(Builder builder, List<Path> files, Duration interval, Listener listener, SSLContext first,
            List<Object> stamps) {
        this.builder = builder;
        this.files = files;
        this.interval = interval;
        this.listener = listener;
        this.current = first;
        this.stamps = stamps;
    }

    /**
     * Builds the context now and, if {@code files} is not empty, watches them.
     *
     * @throws IOException when the first build fails: the server cannot start without it
     */
    public static TlsContext watch(Builder builder, List<Path> files, Duration interval, Listener listener)
            throws IOException {
        List<Object> stamps = stamps(files);
        TlsContext context = new TlsContext(builder, List.copyOf(files), interval, listener, builder.build(), stamps);
        context.schedule();
        return context;
    }

    /** The context for the next handshake. */
    public SSLContext current() {
        return current;
    }

    private void schedule() {
        if (!closed && !files.isEmpty()) {
            check = Timer.after(interval, this::checkFiles);
        }
    }

    // On the timer thread: the rebuild reads a few small files and parses them, milliseconds.
    private void checkFiles() {
        try {
            List<Object> now = stamps(files);
            if (!now.equals(stamps)) {
                stamps = now;
                try {
                    current = builder.build();
                    listener.reloaded(files, null);
                } catch (IOException | RuntimeException e) {
                    listener.reloaded(files, e);
                }
            }
        } catch (RuntimeException e) {
            listener.reloaded(files, e);
        } finally {
            schedule();
        }
    }

    private static List<Object> stamps(List<Path> files) {
        return files.stream().map(TlsContext::stamp).toList();
    }

    private static Object stamp(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return List.of(a.lastModifiedTime(), a.size(), Objects.requireNonNullElse(a.fileKey(), ""));
        } catch (IOException missing) {
            return "missing"; // mid-replacement; the next check sees the new file
        }
    }

    /** Stops watching. */
    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> c = check;
        if (c != null) {
            c.cancel(false);
        }
    }
}
