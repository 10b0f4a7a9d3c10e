#!/usr/bin/env python3
"""Trains the archive's ahead-of-time caches (JDK 25, JEP 483/514/515) by using sockit once, as a
person at a terminal does, through the archive's own launcher (run by image.sh at package):

    train.py IMAGE_DIR

The server starts on a free loopback port with its console; the client connects on a terminal,
sends "hello", gets the answer and leaves with Ctrl-D; "/quit" stops the server. Each was
started with SOCKIT_AOT_TRAINING=1, so the launcher gave it -XX:AOTCacheOutput and the JVM
writes lib/sockit-server.aot and lib/sockit-client.aot as it exits: the classes those runs
loaded and linked, lambdas resolved, and method profiles.

Both run on pseudo-terminals because that is where people start them: the client takes its
interactive path (JLine's terminal and line reader) only on one, and the server its console.
"""
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time

DEADLINE_SECONDS = 120  # a loaded build machine; the JVM also writes the cache on the way out


class Terminal:
    """A program on a pseudo-terminal of its own, and what it has printed so far."""

    def __init__(self, argv, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                # A terminal of 24 rows of 100 columns: with none set, it has 0 columns and JLine
                # cuts the prompt to ">...".
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.out = b""

    def wait_for(self, text, what):
        deadline = time.monotonic() + DEADLINE_SECONDS
        while text.encode() not in self.out:
            if time.monotonic() > deadline:
                raise RuntimeError("%s: no %r within %d s; it printed: %r" % (what, text, DEADLINE_SECONDS, self.out[-500:]))
            self._read(0.2)
        return self.out.decode(errors="replace")

    def type(self, keys):
        os.write(self.fd, keys.encode())

    def wait_exit(self, what):
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline:
            self._read(0.1)  # keep draining, or a full terminal buffer would block it
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                self.pid = None
                return os.waitstatus_to_exitcode(status)
        self.kill()
        raise RuntimeError("%s did not exit within %d s" % (what, DEADLINE_SECONDS))

    def kill(self):
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = None

    def _read(self, timeout):
        if select.select([self.fd], [], [], timeout)[0]:
            try:
                self.out += os.read(self.fd, 65536)
            except OSError:  # EIO: the program closed its terminal
                pass


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: train.py IMAGE_DIR, e.g. train.py dist/target/image/sockit-0.1.0")
    image = sys.argv[1]
    launcher = os.path.join(image, "bin", "sockit")
    env = dict(os.environ, SOCKIT_AOT_TRAINING="1", TERM="xterm-256color")
    env.pop("SOCKIT_JAVA_OPTS", None)

    server = Terminal([launcher, "server", "tcp://127.0.0.1:0"], env)
    client = None
    try:
        text = server.wait_for("wait for connection...", "sockit server")
        port = re.search(r"Server start at: 127\.0\.0\.1:(\d+)", text).group(1)

        client = Terminal([launcher, "client", "tcp://127.0.0.1:" + port], env)
        client.wait_for("Please input msg: ", "sockit client")
        client.type("hello\r")
        client.wait_for("server received your message.", "sockit client")
        client.type("\x04")  # Ctrl-D at an empty prompt: the client leaves
        status = client.wait_exit("sockit client")
        if status != 0:
            raise RuntimeError("sockit client exited %d: %r" % (status, client.out[-500:]))

        server.wait_for("Disconnected", "sockit server")
        server.type("/quit\r")
        server.wait_exit("sockit server")
    finally:  # on failure: nothing left running
        server.kill()
        if client:
            client.kill()
    for command in ("server", "client"):
        cache = os.path.join(image, "lib", "sockit-%s.aot" % command)
        if not os.path.isfile(cache):
            raise RuntimeError("the training run of sockit %s wrote no %s" % (command, cache))
        print("dist: trained %s (%d MB)" % (cache, os.path.getsize(cache) // 1000000))


if __name__ == "__main__":
    main()
