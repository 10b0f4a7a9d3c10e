#!/usr/bin/env python3
# The server's resident memory under a client that sends 48 MiB of 1 KiB lines to an ack
# server and never reads the acks (docs/reliability.md, "Memory"). Loopback only; the server
# is started here on PORT (outside 32768-60999) and stopped by its process id.
#   python3 bench/never-reads.py cli/target/sockit.jar 18917 [JVM options...]
import socket, subprocess, sys, time, os, re
jar = sys.argv[1]; port = int(sys.argv[2]); opts = sys.argv[3:]
java = os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java")
srv = subprocess.Popen([java] + opts + ["-jar", jar, "server", f"tcp://127.0.0.1:{port}", "--mode", "ack", "-q", "--no-console"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
def rss():
    with open(f"/proc/{srv.pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)) // 1024
try:
    deadline = time.time() + 30
    while True:
        try:
            s = socket.create_connection(("127.0.0.1", port)); break
        except OSError:
            if time.time() > deadline: raise
            time.sleep(0.2)
    # warm: one ack read
    s.sendall(b"warm\n"); s.recv(100)
    time.sleep(2)
    before = rss()
    line = b"x" * 1023 + b"\n"
    chunk = line * 64
    total = 48 * 1024 * 1024
    sent = 0
    s.settimeout(20)
    try:
        while sent < total:
            s.sendall(chunk); sent += len(chunk)
    except socket.timeout:
        pass
    time.sleep(3)
    after = rss()
    print(f"sent {sent/1048576:.1f} MiB; server RSS before {before} MiB, after {after} MiB, growth {after-before} MiB; opts={' '.join(opts) or '(none)'}")
    s.close()
finally:
    srv.terminate()
    srv.wait(10)
