package dev.sockit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The life of a Unix server's socket file: made with a mode, guarded, replaced when stale, removed. */
class UnixSocketFileTest {

    @TempDir
    Path dir;

    @Test
    void createsTheSocketFileForItsOwnerOnly() throws Exception {
        Path path = dir.resolve("s.sock");
        try (Server server = Server.listen(Endpoint.unix(path)).start()) {
            assertThat(server.endpoint().path()).isEqualTo(path);
            assertThat(isSocket(path)).isTrue();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS)))
                    .isEqualTo("rw-------");
        }
    }

    @Test
    void givesTheSocketFileTheModeAskedFor() throws Exception {
        Path path = dir.resolve("s.sock");
        try (Server server = Server.listen(Endpoint.unix(path)).socketMode("660").start()) {
            assertThat(server.isClosing()).isFalse();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS)))
                    .isEqualTo("rw-rw----");
        }
    }

    @Test
    void removesTheSocketFileWhenItStops() throws Exception {
        Path path = dir.resolve("s.sock");
        Server server = Server.listen(Endpoint.unix(path)).start();
        assertThat(path).exists();
        server.close();
        assertThat(Files.exists(path, LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    @Test
    void replacesAStaleSocketFileThatNobodyListensOn() throws Exception {
        Path path = dir.resolve("s.sock");
        // What a server killed with SIGKILL leaves behind: the file, and nobody listening.
        ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dead.bind(UnixDomainSocketAddress.of(path));
        dead.close();
        assertThat(isSocket(path)).isTrue();

        try (Server server = Server.listen(Endpoint.unix(path)).handler(Handlers.ack("ok")).start();
             UnixPeer peer = UnixPeer.connect(server.endpoint().path())) {
            peer.write("a\n");
            assertThat(peer.readLine()).isEqualTo("ok");
        }
    }

    @Test
    void refusesToStartWhereAnotherServerListens() throws Exception {
        Path path = dir.resolve("s.sock");
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(path));
            assertThatThrownBy(() -> Server.listen(Endpoint.unix(path)).start())
                    .isInstanceOf(IOException.class)
                    .hasMessage("cannot listen on unix:" + path + ": another server is listening there (stop it first,"
                            + " or choose another path)");
            assertThat(isSocket(path)).as("the other server's file is left alone").isTrue();
        }
    }

    @Test
    void refusesToStartWhereItsOwnKindAlreadyListens() throws Exception {
        Path path = dir.resolve("s.sock");
        try (Server first = Server.listen(Endpoint.unix(path)).handler(Handlers.ack("first")).start()) {
            assertThat(first.endpoint().path()).isEqualTo(path);
            assertThatThrownBy(() -> Server.listen(Endpoint.unix(path)).start())
                    .hasMessageContaining("another server is listening there");
            try (UnixPeer peer = UnixPeer.connect(path)) {
                peer.write("a\n");
                assertThat(peer.readLine()).isEqualTo("first");
            }
        }
    }

    @Test
    void refusesARegularFileAndLeavesItAlone() throws Exception {
        Path path = dir.resolve("notes.txt");
        Files.writeString(path, "precious");
        assertThatThrownBy(() -> Server.listen(Endpoint.unix(path)).start())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot listen on unix:" + path)
                .hasMessageContaining("exists and is a regular file, not a socket")
                .hasMessageContaining("choose another path");
        assertThat(Files.readString(path)).isEqualTo("precious");
    }

    @Test
    void refusesADirectory() throws Exception {
        Path path = Files.createDirectory(dir.resolve("d"));
        assertThatThrownBy(() -> Server.listen(Endpoint.unix(path)).start())
                .hasMessageContaining("exists and is a directory, not a socket");
    }

    @Test
    void saysWhenTheDirectoryIsMissing() {
        Path path = dir.resolve("missing/s.sock");
        assertThatThrownBy(() -> Server.listen(Endpoint.unix(path)).start())
                .hasMessage("cannot listen on unix:" + path + ": directory " + dir.resolve("missing")
                        + " does not exist (create it first)");
    }

    @Test
    void saysWhenThePathIsTooLong() {
        Path path = dir.resolve("x".repeat(120) + ".sock");
        assertThatThrownBy(() -> Server.listen(Endpoint.unix(path)).start())
                .hasMessageContaining("longer than the system allows")
                .hasMessageContaining("choose a shorter path");
    }

    @Test
    void aClientSaysWhenNoServerIsThere() {
        Path path = dir.resolve("s.sock");
        assertThatThrownBy(() -> Client.connect(Endpoint.unix(path)).open())
                .isInstanceOf(ConnectException.class)
                .hasMessage("cannot connect to unix:" + path + ": no socket file " + path
                        + " — is a server running? (sockit server unix:" + path + ")");
    }

    @Test
    void aClientSaysWhenTheSocketFileIsStale() throws Exception {
        Path path = dir.resolve("s.sock");
        ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dead.bind(UnixDomainSocketAddress.of(path));
        dead.close();
        assertThatThrownBy(() -> Client.connect(Endpoint.unix(path)).open())
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining("exists but no server listens on it");
    }

    @Test
    void aClientSaysWhenThePathIsNotASocket() throws Exception {
        Path path = Files.writeString(dir.resolve("notes.txt"), "x");
        assertThatThrownBy(() -> Client.connect(Endpoint.unix(path)).open())
                .hasMessageContaining(path + " is not a socket");
    }

    @Test
    void refusesAModeThatLetsNobodyConnect() {
        assertThatThrownBy(() -> Server.listen(Endpoint.unix(dir.resolve("s.sock"))).socketMode("400"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lets nobody connect");
    }

    private static boolean isSocket(Path path) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & 0170000) == 0140000;
    }
}
