#!/usr/bin/env bash
# The system calls one server makes per message, in one cell: perf stat on the kernel's
# syscall tracepoints while the generator loads it, beside its CPU per message. The count
# table of docs/performance.md's "Depth 1 with many connections" was made this way (the CPU
# by system call there: perf record -g -e cpu-clock -p PID, then perf script). About 20 s.
# With --record, a second window under the same load is sampled (perf record -g, the JIT's
# frames named through the JVM's perf map) and broken down per message by bench/profile-breakdown.py:
# kernel time by system call, user time by owner (sockit, Netty, the JDK's scheduler, its
# poller, its socket I/O, the JVM); and the heap allocated per message (JFR's per-thread
# allocation counters over the window), and JFR's hottest Java methods, inlining resolved.
#
#   bench/profile.sh                                  sockit, echo 1000 x 1 x 64
#   bench/profile.sh --server netty --conns 64        Netty's, 64 connections
#   bench/profile.sh --jvm "-Djdk.readPollers=2"      sockit with extra JVM options
#   bench/profile.sh --mode ack --depth 16 --no-build
#   bench/profile.sh --record --conns 64 --mode ack   where the CPU goes, per message
#   bench/profile.sh --record --keep DIR              ... keeping perf.data, the JFR file, the perf map
#   bench/profile.sh --rate 45000 --conns 64          open loop: 45,000 requests a second in total,
#                                                     below the server's rate, so readers park
#
# The server runs pinned to CPU 0 and is warmed first; the generator (sockit bench
# --busy-poll) on CPU 1. Messages in the window are counted from the generator's rate, so
# run it on an otherwise quiet machine. Needs: Linux, 2 CPUs, taskset, jq, perf (Debian
# linux-perf) allowed to trace this user's processes (root, or kernel.perf_event_paranoid
# of 1 or less), Maven unless --no-build, python3 for --record. Port 9141 on 127.0.0.1.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SERVER=sockit MODE=echo CONNS=1000 DEPTH=1 SIZE=64 JVM_EXTRA="" SECONDS_MEASURED=3 RECORD="" KEEP="" RATE=""
NO_BUILD=${NO_BUILD:-}
PORT=9141
while (( $# > 0 )); do
    case "$1" in
        --server) SERVER=${2:?--server needs sockit or netty}; shift 2 ;;
        --mode) MODE=${2:?--mode needs echo or ack}; shift 2 ;;
        --conns) CONNS=${2:?--conns needs a number, e.g. 1000}; shift 2 ;;
        --depth) DEPTH=${2:?--depth needs a number, e.g. 1}; shift 2 ;;
        --size) SIZE=${2:?--size needs a number of bytes, e.g. 64}; shift 2 ;;
        --rate) RATE=${2:?--rate needs a number of requests per second, e.g. 45000}; shift 2 ;;
        --jvm) JVM_EXTRA=${2:?--jvm needs JVM options, e.g. -Djdk.readPollers=2}; shift 2 ;;
        --no-build) NO_BUILD=1; shift ;;
        --record) RECORD=1; shift ;;
        --keep) KEEP=${2:?--keep needs a directory}; shift 2 ;;
        -h|--help) sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench/profile.sh: unknown argument \"$1\"; see bench/profile.sh --help" >&2; exit 2 ;;
    esac
done
[[ $SERVER == sockit || $SERVER == netty ]] || { echo "bench/profile.sh: --server takes sockit or netty, not \"$SERVER\"" >&2; exit 2; }
[[ $MODE == echo || $MODE == ack ]] || { echo "bench/profile.sh: --mode takes echo or ack, not \"$MODE\"" >&2; exit 2; }
[[ -z $RATE || $RATE =~ ^[1-9][0-9]*$ ]] || { echo "bench/profile.sh: --rate needs a whole number of requests per second, not \"$RATE\"" >&2; exit 2; }
for tool in taskset jq perf ${RECORD:+python3}; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench/profile.sh: $tool not found; install it (perf: apt-get install linux-perf)" >&2; exit 1; }
done
perf stat -e raw_syscalls:sys_enter true >/dev/null 2>&1 \
    || { echo "bench/profile.sh: perf may not trace system calls here; run as root or set kernel.perf_event_paranoid to 1 (sysctl)" >&2; exit 1; }
(( $(ulimit -n) >= CONNS + 100 )) || ulimit -n 20000 2>/dev/null \
    || { echo "bench/profile.sh: $CONNS connections need ulimit -n of $((CONNS + 100)) or more" >&2; exit 1; }
find_java
[[ -n "$NO_BUILD" ]] || build

out=$(mktemp -d "${TMPDIR:-/tmp}/sockit-profile.XXXXXX")
server_pid=""
cleanup() { [[ -z $server_pid ]] || { kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; } || true; }
trap cleanup EXIT

# shellcheck disable=SC2086 # the extra options are a list of words
# Frame pointers let perf walk through JIT-compiled frames; kept for both servers alike.
taskset -c 0 "$JAVA" -Xms1g -Xmx1g --enable-native-access=ALL-UNNAMED ${RECORD:+-XX:+PreserveFramePointer} $JVM_EXTRA -cp "$BENCH_CLASSPATH" dev.sockit.bench.ServerMain "$SERVER" \
    "tcp://127.0.0.1:$PORT" "$MODE" >"$out/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do grep -qs "listening on" "$out/server.log" && break; sleep 0.1; done
grep -qs "listening on" "$out/server.log" || { echo "bench/profile.sh: the server did not start: $(tail -3 "$out/server.log")" >&2; exit 1; }

load() { # SECONDS -> the generator's JSON; warmup 1 s
    taskset -c 1 "$JAVA" -Xms256m -Xmx256m -cp "$CLI_CLASSPATH" dev.sockit.cli.BenchCommand "tcp://127.0.0.1:$PORT" \
        --mode "$MODE" --conns "$CONNS" --depth "$DEPTH" --size "$SIZE" --duration "${1}s" --warmup 1s --busy-poll ${RATE:+--rate "$RATE"} \
        --server-pid "$server_pid" --json 2>/dev/null
}
load 3 >/dev/null # the JIT compiles the hot path
wait_idle

load $((SECONDS_MEASURED + 3)) >"$out/count.json" &
load_pid=$!
sleep 2
perf stat -x, -o "$out/count.csv" -p "$server_pid" -e 'raw_syscalls:sys_enter,syscalls:sys_enter_read,syscalls:sys_enter_recvfrom,syscalls:sys_enter_write,syscalls:sys_enter_sendto,syscalls:sys_enter_writev,syscalls:sys_enter_ioctl,syscalls:sys_enter_epoll_ctl,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_pwait,syscalls:sys_enter_epoll_pwait2,syscalls:sys_enter_futex,context-switches' \
    -- sleep "$SECONDS_MEASURED" 2>"$out/perf.err" \
    || { echo "bench/profile.sh: perf stat failed (a tracepoint this kernel lacks?): $(tail -2 "$out/perf.err")" >&2; exit 1; }
wait "$load_pid"
if [[ -n $RECORD ]]; then
    # A window of its own: tracing every system call (above) would inflate the kernel's share.
    wait_idle
    load $((SECONDS_MEASURED + 3)) >"$out/record.json" &
    load_pid=$!
    sleep 2
    "$JAVA_HOME/bin/jcmd" "$server_pid" JFR.start name=alloc settings=none \
        '+jdk.ThreadAllocationStatistics#enabled=true' '+jdk.ThreadAllocationStatistics#period=everyChunk' \
        '+jdk.ExecutionSample#enabled=true' '+jdk.ExecutionSample#period=5ms' >/dev/null
    perf record -q -g -e cpu-clock -o "$out/perf.data" -p "$server_pid" -- sleep "$SECONDS_MEASURED" 2>"$out/record.err" \
        || { echo "bench/profile.sh: perf record failed: $(tail -2 "$out/record.err")" >&2; exit 1; }
    "$JAVA_HOME/bin/jcmd" "$server_pid" JFR.stop name=alloc filename="$out/alloc.jfr" >/dev/null
    "$JAVA_HOME/bin/jcmd" "$server_pid" Compiler.perfmap >/dev/null # /tmp/perf-PID.map: the JIT's frames by name
    wait "$load_pid"
fi
recorded_pid=$server_pid
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""

rate=$(jq -r .msgs_per_s "$out/count.json")
echo "$SERVER $MODE $CONNS x $DEPTH x $SIZE${RATE:+ open loop at $RATE/s}${JVM_EXTRA:+ ($JVM_EXTRA)}: $(printf '%.0f' "$rate") msgs/s," \
    "server CPU $(jq -r .server_cpu_us_per_msg "$out/count.json") us/msg"
echo "  system calls per message:"
awk -F, -v r="$rate" -v s="$SECONDS_MEASURED" '$1 ~ /^[0-9]+$/ && $1 > 0 { sub(/.*:sys_enter_?/, "", $3); printf "    %-14s %7.3f\n", ($3 == "" ? "all" : $3), $1 / (r * s) }' "$out/count.csv"
if [[ -n $RECORD ]]; then
    messages=$(jq -r ".msgs_per_s * $SECONDS_MEASURED" "$out/record.json")
    echo "  sampled in a window of its own: $(jq -r '.msgs_per_s | floor' "$out/record.json") msgs/s," \
        "server CPU $(jq -r .server_cpu_us_per_msg "$out/record.json") us/msg"
    # Each platform thread's bytes allocated, at the window's start and end (a virtual
    # thread's allocation counts to its carrier).
    allocated=$("$JAVA_HOME/bin/jfr" print --json --events jdk.ThreadAllocationStatistics "$out/alloc.jfr" \
        | jq '[.recording.events[] | {t: .values.thread.javaThreadId, a: .values.allocated}] | group_by(.t)
              | map((map(.a) | max) - (map(.a) | min)) | add')
    echo "  heap allocated per message: $(jq -n "$allocated / $messages | floor") bytes"
    echo "  CPU per message by part, $(printf '%.0f' "$messages") messages in the window:"
    perf script -F comm,tid,period,ip,sym,dso -i "$out/perf.data" 2>/dev/null \
        | python3 "$BENCH_DIR/profile-breakdown.py" "$messages" | sed 's/^/    /'
    if [[ -n $KEEP ]]; then
        mkdir -p "$KEEP"
        cp "$out/perf.data" "$out/alloc.jfr" "$KEEP/" && mv "/tmp/perf-$recorded_pid.map" "$KEEP/"
        echo "  kept in $KEEP: perf.data, alloc.jfr, perf-$recorded_pid.map (copy the map back to /tmp for perf script)"
    fi
    rm -f "/tmp/perf-$recorded_pid.map"
    # JFR's samples name the inlined method too, which the perf map cannot (it names the
    # compiled unit that inlined it).
    echo "  Java methods where JFR's samples were (innermost frame, inlining resolved):"
    "$JAVA_HOME/bin/jfr" view --width 150 hot-methods "$out/alloc.jfr" | sed 's/^/    /' | head -30
fi
rm -rf "$out"
