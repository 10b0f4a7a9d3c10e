package dev.sockit.transport.linux;

import java.io.IOException;
import java.util.Map;

/**
 * systemd socket activation ({@code sd_listen_fds(3)}): systemd (or any launcher that follows
 * its protocol) opens the listening socket, starts the service with it as descriptor 3, and
 * says so in the environment: {@code LISTEN_PID} (the process the sockets are for: a child
 * that inherits the environment must not take them) and {@code LISTEN_FDS} (how many, from 3).
 * sockit serves one socket, so it takes exactly one.
 */
public final class SocketActivation {

    /** The first passed descriptor, by the protocol: after stdin, stdout and stderr. */
    public static final int FIRST_FD = 3;

    private SocketActivation() {}

    /** True when the environment passes sockets to this very process. */
    public static boolean passed() {
        return passed(System.getenv(), ProcessHandle.current().pid());
    }

    static boolean passed(Map<String, String> environment, long pid) {
        String forPid = environment.get("LISTEN_PID");
        return environment.containsKey("LISTEN_FDS") && forPid != null && forPid.strip().equals(Long.toString(pid));
    }

    /**
     * Takes over the listening socket passed to this process.
     *
     * @throws IOException when none was passed, or more than one, or it is not a listening
     *     stream socket, saying which and what to change in the unit
     */
    public static Descriptors.Adopted take() throws IOException {
        Platform.require("systemd socket activation");
        Map<String, String> environment = System.getenv();
        long pid = ProcessHandle.current().pid();
        if (!passed(environment, pid)) {
            throw new IOException("no socket was passed to this process (LISTEN_FDS=" + environment.get("LISTEN_FDS")
                    + ", LISTEN_PID=" + environment.get("LISTEN_PID") + ", this process is " + pid
                    + "); start it from a systemd .socket unit, or give an endpoint");
        }
        int count;
        try {
            count = Integer.parseInt(environment.get("LISTEN_FDS").strip());
        } catch (NumberFormatException e) {
            throw new IOException("LISTEN_FDS=" + environment.get("LISTEN_FDS") + " is not a number of sockets", e);
        }
        if (count != 1) {
            throw new IOException("LISTEN_FDS=" + count + ": sockit server serves exactly one passed socket; give the"
                    + " .socket unit one ListenStream= (or run one sockit server per socket)");
        }
        return Descriptors.adopt(FIRST_FD);
    }
}
