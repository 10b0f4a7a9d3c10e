#!/usr/bin/env python3
"""Where a server's CPU went, per message: reads `perf script -F comm,tid,period,ip,sym,dso`
(a `perf record -g -e cpu-clock` of the server, Java frames named by the JVM's perf map) on
standard input and prints microseconds per message by part, then the heaviest frames of each.

    perf script -F comm,tid,period,ip,sym,dso -i perf.data | bench/profile-breakdown.py MESSAGES

A sample is kernel time when its innermost frame is the kernel's, named by the system call it
was in (or "no system call": interrupts, the scheduler's switches); otherwise user time,
named by its innermost Java frame's owner: sockit, Netty, the JDK's scheduler (virtual threads,
continuations, ForkJoinPool, LockSupport), the JDK's poller, the JDK's socket I/O (sun.nio.ch,
java.nio), other Java; a stack with no Java frame by its thread (JIT compiler, GC, other JVM).
Then the same time by thread (the carrier, the JDK's master poller, ...): who pays for a wake-up.
Run by bench/profile.sh --record.
"""
import collections
import re
import sys

SCHEDULER = re.compile(r"^(java\.lang\.VirtualThread|java\.lang\.Thread\.yield|jdk\.internal\.vm\.Continuation"
                       r"|java\.util\.concurrent\.ForkJoin|java\.util\.concurrent\.locks\.LockSupport"
                       r"|jdk\.internal\.misc\.Unsafe\.(park|unpark))")
POLLER = re.compile(r"^sun\.nio\.ch\.(Poller|EPollPoller|EPoll\b)")
JDK_IO = re.compile(r"^(sun\.nio\.ch\.|java\.nio\.|sun\.nio\.|jdk\.internal\.misc\.Blocker|java\.net\.)")
SYSCALL = re.compile(r"^(?:__x64_sys_|__do_sys_|__se_sys_|ksys_)(\w+)")


def java_name(sym, dso):
    """A Java frame's "package.Class.method", as the JVM's perf map names compiled code
    ("int dev.sockit.transport.Intake.fill()"); "(interpreted)"; None for anything else."""
    if not dso.endswith(".map"):
        return None
    if sym.startswith("Interpreter"):
        return "(interpreted)"
    if "(" not in sym:
        return None  # stubs, vtables: no owner of their own
    return sym[:sym.index("(")].split()[-1]


def user_part(java, comm):
    if java is None:
        if comm.startswith("multiThreadIoEv"):
            return "Netty"  # its event loop's native frames, below the JNI call perf cannot walk past
        if comm.startswith(("C1 ", "C2 ")):
            return "JVM: JIT compiler"
        if comm.startswith(("GC ", "G1 ")) or comm.startswith("VM Thread"):
            return "JVM: GC and safepoints"
        return "JVM: other (" + re.sub(r"[\d-]+$", "", comm) + ")"
    if java.startswith(("io.netty.", "dev.sockit.bench.Netty")):
        return "Netty"  # the bench's Netty server is Netty's side
    if java.startswith("dev.sockit."):
        return "sockit"
    if POLLER.match(java):
        return "JDK: poller"
    if SCHEDULER.match(java):
        return "JDK: scheduler (park, unpark, yield, ForkJoinPool)"
    if JDK_IO.match(java):
        return "JDK: socket I/O (sun.nio.ch)"
    return "Java: other"


def parse(stream):
    frames, head = [], None
    for line in stream:
        line = line.rstrip("\n")
        if not line.strip():
            if head is not None:
                yield head, frames
            frames, head = [], None
            continue
        if head is None:
            # "comm tid period" — comm may hold spaces; the last two fields are numbers.
            parts = line.split()
            head = (" ".join(parts[:-2]), int(parts[-1]))
            continue
        m = re.match(r"\s*([0-9a-f]+)\s+(.*?)\s+\((.*)\)\s*$", line)
        if m:
            sym = re.sub(r"\+0x[0-9a-f]+$", "", m.group(2))
            frames.append((sym, m.group(3)))
    if head is not None:
        yield head, frames


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: perf script -F comm,tid,period,ip,sym,dso | profile-breakdown.py MESSAGES")
    messages = float(sys.argv[1])
    parts, kernel_by_caller, heavy, threads = (collections.Counter() for _ in range(4))
    total = 0
    for (comm, period), frames in parse(sys.stdin):
        total += period
        threads[re.sub(r"[\d-]+$", "", comm) or comm] += period
        if not frames:
            parts["unknown"] += period
            continue
        java = next((j for j in (java_name(s, d) for s, d in frames) if j is not None), None)
        if java == "(interpreted)":
            java = next((j for j in (java_name(s, d) for s, d in frames) if j not in (None, "(interpreted)")), java)
        leaf_sym, leaf_dso = frames[0]
        if "kernel" in leaf_dso:
            call = next((m.group(1) for m in (SYSCALL.match(s) for s, _ in frames) if m), None)
            part = "kernel: " + (call if call else "no system call (interrupts, switches)")
            kernel_by_caller[(part, user_part(java, comm))] += period
        else:
            part = "user: " + user_part(java, comm)
            leaf = java_name(leaf_sym, leaf_dso) or leaf_sym + " [" + leaf_dso.split("/")[-1] + "]"
            heavy[(part, leaf if leaf == java else f"{leaf} < {java}")] += period
        parts[part] += period

    def us(ns):
        return ns / 1000.0 / messages

    print(f"{'part':<62} {'us/msg':>7} {'share':>6}")
    for group in ("kernel", "user"):
        rows = sorted(((p, v) for p, v in parts.items() if p.startswith(group)), key=lambda r: -r[1])
        for p, v in rows:
            print(f"{p:<62} {us(v):7.2f} {100.0 * v / total:5.1f}%")
        print(f"{group + ', all':<62} {us(sum(v for _, v in rows)):7.2f} {100.0 * sum(v for _, v in rows) / total:5.1f}%")
    print(f"{'all':<62} {us(total):7.2f}")
    print("\nkernel time by the Java code that made the call (us/msg):")
    for (p, caller), v in sorted(kernel_by_caller.items(), key=lambda r: -r[1])[:12]:
        print(f"  {p:<44} from {caller:<52} {us(v):6.2f}")
    print("\nby thread, numbers at the end of the name dropped (us/msg):")
    for comm, v in sorted(threads.items(), key=lambda r: -r[1])[:8]:
        print(f"  {comm:<40} {us(v):6.2f}")
    print("\nheaviest innermost frames in user space (us/msg):")
    for (p, frame), v in sorted(heavy.items(), key=lambda r: -r[1])[:30]:
        print(f"  {us(v):6.3f}  {p[6:][:24]:<24} {frame[:150]}")


if __name__ == "__main__":
    main()
