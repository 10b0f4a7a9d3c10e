package dev.sockit;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.util.Collections;

/** What this machine offers of IPv6, so that tests skip, with a reason, only what it lacks. */
final class Ipv6 {

    private Ipv6() {}

    /** True when a socket can bind ::1. */
    static boolean hasLoopback() {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The name of an interface with an IPv6 link-local address (a zone id resolves to it), or null. */
    static String linkLocalInterface() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet6Address && address.isLinkLocalAddress()) {
                        return nic.getName();
                    }
                }
            }
        } catch (SocketException e) {
            return null;
        }
        return null;
    }
}
