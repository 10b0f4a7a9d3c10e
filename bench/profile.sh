#!/usr/bin/env bash
# The system calls one server makes per message, in one cell: perf stat on the kernel's
# syscall tracepoints while the generator loads it, beside its CPU per message. The count
# table of docs/performance.md's "Depth 1 with many connections" was made this way (the CPU
# by system call there: perf record -g -e cpu-clock -p PID, then perf script). About 20 s.
#
#   bench/profile.sh                                  sockit, echo 1000 x 1 x 64
#   bench/profile.sh --server netty --conns 64        Netty's, 64 connections
#   bench/profile.sh --jvm "-Djdk.readPollers=2"      sockit with extra JVM options
#   bench/profile.sh --mode ack --depth 16 --no-build
#
# The server runs pinned to CPU 0 and is warmed first; the generator (sockit bench
# --busy-poll) on CPU 1. Messages in the window are counted from the generator's rate, so
# run it on an otherwise quiet machine. Needs: Linux, 2 CPUs, taskset, jq, perf (Debian
# linux-perf) allowed to trace this user's processes (root, or kernel.perf_event_paranoid
# of 1 or less), Maven unless --no-build. Port 9141 on 127.0.0.1.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SERVER=sockit MODE=echo CONNS=1000 DEPTH=1 SIZE=64 JVM_EXTRA="" SECONDS_MEASURED=3
NO_BUILD=${NO_BUILD:-}
PORT=9141
while (( $# > 0 )); do
    case "$1" in
        --server) SERVER=${2:?--server needs sockit or netty}; shift 2 ;;
        --mode) MODE=${2:?--mode needs echo or ack}; shift 2 ;;
        --conns) CONNS=${2:?--conns needs a number, e.g. 1000}; shift 2 ;;
        --depth) DEPTH=${2:?--depth needs a number, e.g. 1}; shift 2 ;;
        --size) SIZE=${2:?--size needs a number of bytes, e.g. 64}; shift 2 ;;
        --jvm) JVM_EXTRA=${2:?--jvm needs JVM options, e.g. -Djdk.readPollers=2}; shift 2 ;;
        --no-build) NO_BUILD=1; shift ;;
        -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench/profile.sh: unknown argument \"$1\"; see bench/profile.sh --help" >&2; exit 2 ;;
    esac
done
[[ $SERVER == sockit || $SERVER == netty ]] || { echo "bench/profile.sh: --server takes sockit or netty, not \"$SERVER\"" >&2; exit 2; }
[[ $MODE == echo || $MODE == ack ]] || { echo "bench/profile.sh: --mode takes echo or ack, not \"$MODE\"" >&2; exit 2; }
for tool in taskset jq perf; do
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
taskset -c 0 "$JAVA" -Xms1g -Xmx1g --enable-native-access=ALL-UNNAMED $JVM_EXTRA -cp "$BENCH_CLASSPATH" dev.sockit.bench.ServerMain "$SERVER" \
    "tcp://127.0.0.1:$PORT" "$MODE" >"$out/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do grep -qs "listening on" "$out/server.log" && break; sleep 0.1; done
grep -qs "listening on" "$out/server.log" || { echo "bench/profile.sh: the server did not start: $(tail -3 "$out/server.log")" >&2; exit 1; }

load() { # SECONDS -> the generator's JSON; warmup 1 s
    taskset -c 1 "$JAVA" -Xms256m -Xmx256m -cp "$CLI_CLASSPATH" dev.sockit.cli.BenchCommand "tcp://127.0.0.1:$PORT" \
        --mode "$MODE" --conns "$CONNS" --depth "$DEPTH" --size "$SIZE" --duration "${1}s" --warmup 1s --busy-poll \
        --server-pid "$server_pid" --json 2>/dev/null
}
load 3 >/dev/null # the JIT compiles the hot path
wait_idle

load $((SECONDS_MEASURED + 3)) >"$out/count.json" &
load_pid=$!
sleep 2
perf stat -x, -o "$out/count.csv" -p "$server_pid" -e 'raw_syscalls:sys_enter,syscalls:sys_enter_read,syscalls:sys_enter_recvfrom,syscalls:sys_enter_write,syscalls:sys_enter_sendto,syscalls:sys_enter_writev,syscalls:sys_enter_ioctl,syscalls:sys_enter_epoll_ctl,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_pwait,syscalls:sys_enter_epoll_pwait2,syscalls:sys_enter_futex' \
    -- sleep "$SECONDS_MEASURED" 2>"$out/perf.err" \
    || { echo "bench/profile.sh: perf stat failed (a tracepoint this kernel lacks?): $(tail -2 "$out/perf.err")" >&2; exit 1; }
wait "$load_pid"
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""

rate=$(jq -r .msgs_per_s "$out/count.json")
echo "$SERVER $MODE $CONNS x $DEPTH x $SIZE${JVM_EXTRA:+ ($JVM_EXTRA)}: $(printf '%.0f' "$rate") msgs/s," \
    "server CPU $(jq -r .server_cpu_us_per_msg "$out/count.json") us/msg"
echo "  system calls per message:"
awk -F, -v r="$rate" -v s="$SECONDS_MEASURED" '$1 ~ /^[0-9]+$/ && $1 > 0 { sub(/.*:sys_enter_?/, "", $3); printf "    %-14s %7.3f\n", ($3 == "" ? "all" : $3), $1 / (r * s) }' "$out/count.csv"
rm -rf "$out"
