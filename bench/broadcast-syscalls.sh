#!/usr/bin/env bash
# The system calls a broadcast makes per client: each push server of bench/broadcast.sh under
# strace while it pushes one line to every client, counted over whole pushes. One write per
# client is the least any server can make; this shows what each makes beside it (waking and
# parking threads, polling) and where it makes them. Timing under strace means nothing; the
# counts are the result. Writes bench/results/DATE-broadcast-syscalls.md; about 1 minute.
#
#   bench/broadcast-syscalls.sh                                   plain, sockit and netty, 1,000 clients
#   bench/broadcast-syscalls.sh --servers sockit --conns 2000 --no-build
#   bench/broadcast-syscalls.sh --server-jvm "-Dsome.property=1"  more options for the server's JVM
#
# Each server (dev.sockit.bench.FanOut, pinned to CPU 0, under strace -f from its start) gets
# --conns clients from two dev.sockit.bench.Audience processes (CPU 1) and pushes --pushes
# lines, 1 s apart. strace shows each write's bytes, "SEQ NANOS\n", so the pushes whose every
# client's write was traced are known; every system call of every thread between the first
# write of the first such push after the first --skip pushes and the last write of the last
# one is counted, and divided by the clients those pushes reached.
#
# Needs: Linux, 2 CPUs, taskset, strace, python3, Maven unless --no-build.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

CONNS=1000
PUSHES=14
SKIP=4
SERVERS="plain sockit netty"
SERVER_JVM_EXTRA=""
NO_BUILD=${NO_BUILD:-}

usage() { sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while (( $# > 0 )); do
    case "$1" in
        --conns) CONNS=${2:?--conns needs a number}; shift 2 ;;
        --pushes) PUSHES=${2:?--pushes needs a number}; shift 2 ;;
        --skip) SKIP=${2:?--skip needs a number}; shift 2 ;;
        --servers) SERVERS=${2:?--servers needs a list, e.g. \"plain sockit netty\"}; shift 2 ;;
        --server-jvm) SERVER_JVM_EXTRA=${2?--server-jvm needs JVM options}; shift 2 ;;
        --no-build) NO_BUILD=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench/broadcast-syscalls.sh: unknown argument \"$1\"; see --help" >&2; exit 2 ;;
    esac
done
for value in "$CONNS" "$PUSHES" "$SKIP"; do
    [[ $value =~ ^[0-9]+$ ]] || { echo "bench/broadcast-syscalls.sh: \"$value\" is not a whole number" >&2; exit 2; }
done
(( CONNS >= 2 && CONNS <= 19000 )) || { echo "bench/broadcast-syscalls.sh: --conns must be 2 to 19000" >&2; exit 2; }
(( PUSHES > SKIP + 1 )) || { echo "bench/broadcast-syscalls.sh: --pushes must be at least --skip + 2" >&2; exit 2; }
for tool in strace taskset python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench/broadcast-syscalls.sh: $tool not found" >&2; exit 1; }
done
read -r -a more <<<"$SERVER_JVM_EXTRA"
SERVER_JVM=(-Xms1g -Xmx1g --enable-native-access=ALL-UNNAMED ${more[@]+"${more[@]}"})
find_java
[[ -n $NO_BUILD ]] || build

result_files broadcast-syscalls
GIT_REV=$(git_rev)
NET=$(( 16 + RANDOM % 224 ))

pids=()
cleanup() {
    local pid
    for pid in ${pids[@]+"${pids[@]}"}; do kill "$pid" 2>/dev/null || true; done
    for pid in ${pids[@]+"${pids[@]}"}; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { echo "bench/broadcast-syscalls.sh: $*" >&2; }

group=0
for kind in $SERVERS; do
    group=$(( group + 1 ))
    dir="$raw/$kind"
    mkdir -p "$dir"
    timeout --kill-after=5 300 taskset -c 0 strace -f -qq -s 48 -o "$dir/strace.log" \
        "$JAVA" "${SERVER_JVM[@]}" -cp "$BENCH_CLASSPATH" dev.sockit.bench.FanOut "$kind" "$CONNS" "$PUSHES" \
        --pause-ms 1000 --wait-seconds 120 >"$dir/server.out" 2>"$dir/server.err" &
    server=$!
    pids=("$server")
    for (( i = 0; i < 600; i++ )); do
        grep -qs "listening on" "$dir/server.out" && break
        kill -0 "$server" 2>/dev/null || break
        sleep 0.1
    done
    port=$(sed -n 's/.*listening on tcp:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$dir/server.out")
    [[ -n $port ]] || { say "the $kind server did not start: $(tail -3 "$dir/server.err")"; exit 1; }
    say "$kind: listening on $port under strace; $CONNS clients, $PUSHES pushes 1 s apart"
    # The clients leave once every push has come, or when their standard input, this fifo, closes.
    fifo="$dir/leave.fifo"
    rm -f "$fifo"; mkfifo "$fifo"; exec 7<>"$fifo"
    for i in 0 1; do
        timeout --kill-after=5 300 taskset -c 1 "$JAVA" -Xms256m -Xmx256m -cp "$BENCH_CLASSPATH" dev.sockit.bench.Audience \
            "$port" $(( CONNS / 2 + (i < CONNS % 2 ? 1 : 0) )) --from "127.$NET.$group.$(( i + 1 ))" --seconds 300 \
            --pushes "$PUSHES" --record "$dir/audience-$i.rec" <"$fifo" 7>&- >"$dir/audience-$i.log" 2>&1 &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || say "$kind: a process ended with status $?"; done
    pids=()
    exec 7>&-
    rm -f "$fifo"
done

python3 - "$raw" "$CONNS" "$SKIP" $SERVERS >"$raw/table.md" <<'EOF'
import collections, re, sys
raw, conns, skip, kinds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
call = re.compile(r'^(\d+) +(?:<\.\.\. (\w+) resumed>|(\w+)\()')
payload = re.compile(r'"(\d+) \d+\\n"')
print("| server | pushes counted | clients reached | system calls per client and push | of which: the 5 most made, per client and push |")
print("|---|---:|---:|---:|---|")
for kind in kinds:
    lines = open(f"{raw}/{kind}/strace.log", errors="replace").read().splitlines()
    # Per push, the log lines of the writes that carried it to a client.
    writes = collections.defaultdict(list)
    for n, line in enumerate(lines):
        m = call.match(line)
        if m and m.group(3) in ("write", "writev", "sendto", "sendmsg") and "resumed" not in line:
            p = payload.search(line)
            if p:
                writes[int(p.group(1))].append(n)
    whole = sorted(seq for seq, ns in writes.items() if seq >= skip and len(ns) == conns)
    if not whole:
        print(f"| {kind} | 0 | – | – | no push after the first {skip} had a traced write to all {conns} clients |")
        continue
    first, last = min(writes[whole[0]]), max(writes[whole[-1]])
    counted = collections.Counter()
    for line in lines[first:last + 1]:
        m = call.match(line)
        if m and m.group(3):           # a call's start: complete, or "<unfinished ...>"
            counted[m.group(3)] += 1
    reached = len(whole) * conns
    top = ", ".join(f"{name} {count / reached:.2f}" for name, count in counted.most_common(5))
    print(f"| {kind} | {len(whole)} ({whole[0]}–{whole[-1]}) | {reached:,} | {sum(counted.values()) / reached:.2f} | {top} |")
EOF

{
    echo "# System calls per client of a broadcast to $(printf "%'d" "$CONNS") clients, ${SERVERS// / vs }, $(date '+%Y-%m-%d %H:%M %Z')"
    echo
    echo "- machine: $(nproc) × $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), Linux $(uname -r); $(strace -V | head -1)"
    echo "- JDK: $("$JAVA" -version 2>&1 | sed -n 2p); servers as in bench/broadcast.sh (commit $GIT_REV), JVM \`${SERVER_JVM[*]}\`, pinned \`taskset -c 0\`, under \`strace -f\` from its start; clients: 2 \`Audience\` processes on CPU 1"
    echo "- $PUSHES pushes, 1 s apart; counted: every system call of every server thread (a call's start) from the first write of the first push after the first $SKIP whose every client's write was traced, to the last write of the last such push; divided by the clients those pushes reached (pushes × clients)"
    echo "- times under strace are meaningless and not shown"
    echo "- reproduce: \`bench/broadcast-syscalls.sh --conns $CONNS --pushes $PUSHES --skip $SKIP --servers \"$SERVERS\"${SERVER_JVM_EXTRA:+ --server-jvm \"$SERVER_JVM_EXTRA\"}\` (strace logs in bench/results/tmp/$(basename "$raw"))"
    echo
    cat "$raw/table.md"
} >"$results"
say "wrote $results"
cat "$results"
