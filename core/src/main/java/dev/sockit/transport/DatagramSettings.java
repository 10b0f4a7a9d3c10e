package dev.sockit.transport;

import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * How a {@link DatagramConnection} behaves.
 *
 * @param maxDatagram    the most bytes one sent datagram may carry
 * @param sessionTimeout a server session ends after this long without a datagram from its
 *                       peer; null: never (clients)
 * @param receiveTimeout {@code receive()} gives up after this long with
 *                       {@link SocketTimeoutException}; null: it waits (servers)
 * @param clock          what the session timeout is kept on: {@link Clock#SYSTEM} but in tests
 */
public record DatagramSettings(int maxDatagram, Duration sessionTimeout, Duration receiveTimeout, Clock clock) {

    /** On the system clock. */
    public DatagramSettings(int maxDatagram, Duration sessionTimeout, Duration receiveTimeout) {
        this(maxDatagram, sessionTimeout, receiveTimeout, Clock.SYSTEM);
    }
}
