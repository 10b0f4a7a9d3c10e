package dev.sockit.transport;

import dev.sockit.Endpoint;
import dev.sockit.transport.linux.SystemCallException;
import dev.sockit.transport.linux.UnixDatagramSocket;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * A {@code unixgram:} server's socket as a {@link DatagramPort}: peers are known by the names
 * their sockets are bound to ({@code UnixDomainSocketAddress} of a path, or of {@code @name});
 * a peer bound to none is "" and cannot be answered. The socket file, if any, is the server's:
 * given its mode, replaced when stale, removed on close, as for {@code unix:}.
 */
final class UnixDatagramPort implements DatagramPort {

    private final Endpoint endpoint;
    private final UnixDatagramSocket socket;
    private final Unix.SocketFile file;

    private UnixDatagramPort(Endpoint endpoint, UnixDatagramSocket socket, Unix.SocketFile file) {
        this.endpoint = endpoint;
        this.socket = socket;
        this.file = file;
    }

    static UnixDatagramPort bind(Endpoint endpoint, Set<PosixFilePermission> mode) throws IOException {
        Path path = endpoint.path();
        if (!endpoint.isAbstract()) {
            Unix.clearStale(endpoint, path);
        }
        UnixDatagramSocket socket;
        try {
            socket = UnixDatagramSocket.bind(path.toString(), Udp.MAX_PAYLOAD);
        } catch (SystemCallException e) {
            throw Unix.nativeFailed("cannot listen on ", endpoint, e);
        }
        if (endpoint.isAbstract()) {
            return new UnixDatagramPort(endpoint, socket, null);
        }
        try {
            return new UnixDatagramPort(endpoint, socket, Unix.own(endpoint, mode));
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    @Override
    public String protocol() {
        return "unixgram";
    }

    @Override
    public SocketAddress localAddress() {
        return UnixDomainSocketAddress.of(socket.name());
    }

    @Override
    public SocketAddress receive(ByteBuffer buffer) throws IOException {
        return UnixDomainSocketAddress.of(socket.receive(buffer));
    }

    @Override
    public void send(ByteBuffer datagram, SocketAddress to) throws IOException {
        String name = ((UnixDomainSocketAddress) to).getPath().toString();
        if (name.isEmpty()) {
            throw new IOException("cannot answer a unixgram peer whose socket has no name: a client must bind its socket"
                    + " (sockit client does; socat: UNIX-SENDTO with bind=PATH)");
        }
        try {
            socket.send(datagram, name);
        } catch (SystemCallException e) {
            throw new IOException("cannot send to unixgram peer " + name + " from " + endpoint + ": " + e.getMessage()
                    + (e.errno() == SystemCallException.EAGAIN ? " (it read nothing for "
                            + Durations.format(UnixDatagramSocket.SEND_PATIENCE) + ")" : " (has it gone?)"), e);
        }
    }

    @Override
    public void close() {
        socket.close();
        if (file != null) {
            file.remove();
        }
    }
}
