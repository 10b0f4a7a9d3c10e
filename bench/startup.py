#!/usr/bin/env python3
"""Times `sockit client` from launch to its prompt, in a pseudo-terminal as a user sees it.

Usage: startup.py RUNS PROMPT COMMAND...   prints one time in milliseconds per run.

The client shows its line-editing prompt only on a terminal, so each run gets a fresh
pseudo-terminal; the clock stops when the prompt's bytes appear on it, then the client is
sent Ctrl-D (end of input) and waited for, so nothing is left running.
"""
import fcntl, os, pty, select, signal, struct, sys, termios, time

def one(prompt, command):
    started = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    # A new pseudo-terminal is 0 columns wide, and the line editor would cut the prompt to fit.
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    seen, elapsed = b"", None
    deadline = started + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        if prompt in seen:
            elapsed = time.monotonic() - started
            break
    try:
        os.write(fd, b"\x04")
        for _ in range(100):
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.05)
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    finally:
        os.close(fd)
    if elapsed is None:
        sys.exit("startup: no prompt within 30 s; the client printed: " + seen.decode(errors="replace")[-300:])
    return elapsed

def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    runs, prompt, command = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3:]
    for _ in range(runs):
        print("%.1f" % (one(prompt, command) * 1000), flush=True)

if __name__ == "__main__":
    main()
