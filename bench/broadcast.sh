#!/usr/bin/env bash
# Broadcast fan-out: one server with 10,000 connected clients pushes one line to all of them,
# 20 times unmeasured and then 100 times, 400 ms apart; for each push, the time from just before
# it began until the median client and until the last client had it. sockit (core Server,
# every connection in a Group, Group.broadcast) against Netty 4.2 (ChannelGroup.writeAndFlush)
# in one run. Writes a dated Markdown table to bench/results/DATE-broadcast.md; about 2 minutes.
#
#   bench/broadcast.sh                              10,000 clients, 100 pushes timed
#   bench/broadcast.sh --conns 2000 --pushes 20     a quick look
#   bench/broadcast.sh --servers sockit --no-build  (or NO_BUILD=1)
#   bench/broadcast.sh --servers "sockit sockit-cluster"   one node against two on Redis
#   bench/broadcast.sh --servers "plain sockit netty"     with the floor: no framework
#   bench/broadcast.sh --rounds 3 ...               each server 3 times, interleaved; medians
#   bench/broadcast.sh --idle-wait 20 ...           wait at most 20 s (not 60) for an idle machine
#   bench/broadcast.sh --server-jvm "-XX:MaxNewSize=32m" ...   more options for the server's JVM
#   bench/broadcast.sh --servers "sockit sockit+t0 netty" --variant "sockit+t0=-XX:MaxTenuringThreshold=0"
#                                                   a variant: a server (sockit+t0 is sockit) whose
#                                                   JVM has these options too, raced in the same run
#
# With --rounds N the servers take turns N times, every other round in reverse order (A B,
# B A, A B, ...), so a neighbour's burst or a drift over the run falls on both; the table has
# each round's row and each server's medians over its rounds, and is rewritten after every
# round, so a run cut short still leaves the rounds it finished.
#
# sockit-cluster: two sockit nodes in the server's JVM, joined through a redis-server this
# script starts on a free loopback port (pinned with the server, on CPU 0); half the client
# processes connect to each node, and the first node's group.broadcast reaches the second's
# clients through Redis. Needs redis-server.
#
# plain: the floor (dev.sockit.bench.PlainPushServer), no framework, no reader, no queue: a push
# is the pushing thread writing the line to each blocking SocketChannel in turn, one write(2)
# each, so its push call time is what the kernel takes to deliver one line to every client
# from one thread on one core. The report splits each server's CPU (user, system, interrupts:
# the loopback delivery, which the process's own CPU time leaves out) from /proc/stat.
#
# The server and the loop that pushes share one JVM (dev.sockit.bench.FanOut), pinned to CPU 0;
# the clients are dev.sockit.bench.Audience processes (one selector thread each, at most
# 9,500 connections, at least 2 processes), pinned to CPU 1. A push is the line "SEQ NANOS",
# NANOS being System.nanoTime() just before the push; each client stamps it on arrival with
# its own System.nanoTime() — the machine's monotonic clock, shared by every process on it.
# Before each server's run the script waits for the machine to be idle, and it reports how
# much CPU other processes took during the run.
#
# Needs: Linux, 2 CPUs, taskset, Maven unless --no-build. Loopback only: the server on
# 127.0.0.1, clients from 127.N.N.N.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

CONNS=10000
PUSHES=100                          # timed: with 100, p99 is the second slowest, not the slowest
# Pushes left out: on one core the JIT compiles while the first pushes run, and until about
# the fifteenth, pushes to 10,000 clients take twice as long (measured, both servers).
WARMUP=20
PAUSE_MS=400
ROUNDS=1
SERVERS="sockit netty"
SERVER_JVM_EXTRA=""
declare -A VARIANT_JVM=()           # "KIND+LABEL" -> more JVM options for that server's runs
VARIANTS_GIVEN=""                   # the --variant arguments, for the reproduce line
NO_BUILD=${NO_BUILD:-}
PER_PROCESS=9500                    # connections per Audience process: under the 20,000 open files
SERVER_JVM=(-Xms1g -Xmx1g --enable-native-access=ALL-UNNAMED)
AUDIENCE_JVM=(-Xms256m -Xmx256m)
LIMIT=300                           # seconds after which every process started here ends itself
IDLE_PERCENT=10                     # machine busy % under which a run may start
IDLE_WAIT_SECONDS=60                # how long to wait for that before starting anyway (and saying so)

usage() { sed -n '2,45p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while (( $# > 0 )); do
    case "$1" in
        --conns) CONNS=${2:?--conns needs a number}; shift 2 ;;
        --pushes) PUSHES=${2:?--pushes needs a number}; shift 2 ;;
        --warmup) WARMUP=${2:?--warmup needs a number}; shift 2 ;;
        --pause-ms) PAUSE_MS=${2:?--pause-ms needs a number}; shift 2 ;;
        --rounds) ROUNDS=${2:?--rounds needs a number}; shift 2 ;;
        --idle-wait) IDLE_WAIT_SECONDS=${2:?--idle-wait needs a number of seconds}; shift 2 ;;
        --server-jvm) SERVER_JVM_EXTRA=${2?--server-jvm needs JVM options, e.g. -XX:MaxNewSize=32m}; shift 2 ;;
        --variant)
            spec=${2:?--variant needs KIND+LABEL=OPTIONS, e.g. sockit+t0=-XX:MaxTenuringThreshold=0}
            [[ $spec == *+*=* ]] || { echo "bench/broadcast.sh: --variant \"$spec\" is not KIND+LABEL=OPTIONS" >&2; exit 2; }
            VARIANT_JVM[${spec%%=*}]=${spec#*=}
            VARIANTS_GIVEN+=" --variant \"$spec\""
            shift 2 ;;
        --servers) SERVERS=${2:?--servers needs a list, e.g. \"sockit netty\"}; shift 2 ;;
        --no-build) NO_BUILD=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench/broadcast.sh: unknown argument \"$1\"; see bench/broadcast.sh --help" >&2; exit 2 ;;
    esac
done
for value in "$CONNS" "$PUSHES" "$WARMUP" "$PAUSE_MS" "$ROUNDS" "$IDLE_WAIT_SECONDS"; do
    [[ $value =~ ^[0-9]+$ ]] || { echo "bench/broadcast.sh: \"$value\" is not a whole number" >&2; exit 2; }
done
(( CONNS >= 2 && CONNS <= 19000 )) || { echo "bench/broadcast.sh: --conns must be 2 to 19000: the server may open at most 20,000 files" >&2; exit 2; }
(( PUSHES >= 1 )) || { echo "bench/broadcast.sh: --pushes must be at least 1" >&2; exit 2; }
(( ROUNDS >= 1 )) || { echo "bench/broadcast.sh: --rounds must be at least 1" >&2; exit 2; }
for kind in $SERVERS; do
    base=${kind%%+*}
    [[ $base == sockit || $base == netty || $base == sockit-cluster || $base == plain ]] \
        || { echo "bench/broadcast.sh: unknown server \"$kind\"; choose sockit, netty, sockit-cluster, plain (or a --variant of one)" >&2; exit 2; }
    [[ $kind == "$base" || -n ${VARIANT_JVM[$kind]+set} ]] \
        || { echo "bench/broadcast.sh: server \"$kind\" has no --variant \"$kind=OPTIONS\"" >&2; exit 2; }
done
command -v taskset >/dev/null 2>&1 || { echo "bench/broadcast.sh: taskset not found; install it (apt-get install util-linux)" >&2; exit 1; }
(( $(nproc) >= 2 )) || { echo "bench/broadcast.sh: needs 2 CPUs (server on 0, clients on 1); this machine has $(nproc)" >&2; exit 1; }
read -r -a more <<<"$SERVER_JVM_EXTRA"
SERVER_JVM+=(${more[@]+"${more[@]}"})
find_java
[[ -n $NO_BUILD ]] || build

result_files broadcast
GIT_REV=$(git_rev)
# Source addresses: a second octet of this run's own, so no port of an earlier run's clients,
# waiting out TIME_WAIT on its address, is in the way.
NET=$(( 16 + RANDOM % 224 ))
TOTAL=$(( WARMUP + PUSHES ))
PROCESSES=$(( (CONNS + PER_PROCESS - 1) / PER_PROCESS ))
(( PROCESSES >= 2 )) || PROCESSES=2

server="" audiences=() fifo="" redis=""
cleanup() {
    local pid
    [[ -z $redis ]] || kill "$redis" 2>/dev/null || true
    [[ -z $fifo ]] || { exec 7>&- || true; } 2>/dev/null
    for pid in "${audiences[@]}" $server; do kill "$pid" 2>/dev/null || true; done
    for pid in "${audiences[@]}" $server; do wait "$pid" 2>/dev/null || true; done
    [[ -z $fifo ]] || rm -f "$fifo"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "bench/broadcast.sh: $*" >&2; }

# The machine's ticks since boot, all CPUs: "busy total", busy with interrupts. /proc/stat
# counts a tick that lands in an interrupt as interrupt time, and the process it interrupted
# is charged it as system time as well: over loopback most of it is our own traffic (a write
# delivers into the peer's socket in a soft interrupt), and the JVMs' own CPU time includes
# it (measured 2026-12-04: the server's CPU time per push is CPU 0's user, system and
# interrupt time together, not the first two). So the others' CPU is busy less ours.
ticks() { awk '/^cpu / { busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6 }' /proc/stat; }

# Waits until the machine is idle (two quiet half-seconds in a row), at most IDLE_WAIT_SECONDS.
wait_idle() {
    local start=$SECONDS calm=0 a b busy
    while :; do
        read -r -a a < <(ticks); sleep 0.5; read -r -a b < <(ticks)
        busy=$(( 100 * (b[0] - a[0]) / ((b[1] - a[1]) > 0 ? (b[1] - a[1]) : 1) ))
        if (( busy < IDLE_PERCENT )); then
            (( ++calm >= 2 )) && return 0
            continue
        fi
        calm=0
        if (( SECONDS - start > IDLE_WAIT_SECONDS )); then
            say "machine still ${busy}% busy after ${IDLE_WAIT_SECONDS}s; running anyway (see \"other CPUs\" in the report)"
            return 0
        fi
    done
}

# Runs one server: run KIND GROUP DIR, GROUP being the third octet of its clients' addresses.
run() {
    local kind=$1 group=$2 dir=$3 i count port t0 t1 tick0 tick1 ours extra=()
    mkdir -p "$dir"
    [[ $kind == "${kind%%+*}" ]] || read -r -a extra <<<"${VARIANT_JVM[$kind]}"
    wait_idle
    read -r -a tick0 < <(ticks)
    t0=$(date +%s%N)
    timeout --kill-after=5 "$LIMIT" taskset -c 0 "$JAVA" "${SERVER_JVM[@]}" ${extra[@]+"${extra[@]}"} -Xlog:gc:file="$dir/gc.log" -cp "$BENCH_CLASSPATH" \
        dev.sockit.bench.FanOut "${kind%%+*}" "$CONNS" "$TOTAL" --pause-ms "$PAUSE_MS" --wait-seconds 120 \
        >"$dir/server.out" 2>"$dir/server.err" &
    server=$!
    for (( i = 0; i < 600; i++ )); do
        grep -qs "listening on" "$dir/server.out" && break
        kill -0 "$server" 2>/dev/null || break
        sleep 0.1
    done
    port=$(sed -n 's/.*listening on tcp:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$dir/server.out")
    port2=$(sed -n 's/.*second node on tcp:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$dir/server.out")
    [[ -n $port ]] || { say "the $kind server did not start; it says: $(tail -3 "$dir/server.err")"; exit 1; }
    say "$kind: listening on port $port; $PROCESSES client processes connect $CONNS clients, then $TOTAL pushes ($WARMUP unmeasured), ${PAUSE_MS} ms apart"
    # The clients leave when every push has come, when the server closes their connections,
    # at the time limit, or when their standard input, this fifo, closes (held open here for
    # reading and writing, which never blocks; closed on the way out).
    fifo="$dir/leave.fifo"
    rm -f "$fifo"
    mkfifo "$fifo"
    exec 7<>"$fifo"
    audiences=()
    for (( i = 0; i < PROCESSES; i++ )); do
        count=$(( CONNS / PROCESSES + (i < CONNS % PROCESSES ? 1 : 0) ))
        timeout --kill-after=5 "$LIMIT" taskset -c 1 "$JAVA" "${AUDIENCE_JVM[@]}" -cp "$BENCH_CLASSPATH" \
            dev.sockit.bench.Audience "$( [[ -n $port2 ]] && (( i % 2 == 1 )) && echo "$port2" || echo "$port")" "$count" --from "127.$NET.$group.$(( i + 1 ))" \
            --seconds "$LIMIT" --pushes "$TOTAL" --record "$dir/audience-$i.rec" \
            <"$fifo" 7>&- >"$dir/audience-$i.log" 2>&1 &
        audiences+=($!)
    done
    local status=0
    wait "$server" || status=$?
    server=""
    for i in "${!audiences[@]}"; do
        wait "${audiences[$i]}" || say "$kind: client process $i ended with status $?: $(tail -1 "$dir/audience-$i.log")"
    done
    audiences=()
    exec 7>&-
    rm -f "$fifo"
    fifo=""
    t1=$(date +%s%N)
    read -r -a tick1 < <(ticks)
    (( status == 0 )) || { say "the $kind server ended with status $status: $(tail -3 "$dir/server.err")"; exit 1; }
    # Other processes' CPUs during the run: the machine's busy time less what our processes used
    # (each reports its own CPU time; ticks are 1/100 s).
    ours=$(awk '/^cpu / {s += $2} /^left: .*; cpu / {s += $NF} END {print s + 0}' "$dir/server.out" "$dir"/audience-*.log)
    echo "ticks before: ${tick0[*]}; after: ${tick1[*]}; our JVMs' CPU: $ours ns; wall: $(( t1 - t0 )) ns" >"$dir/cpu-accounting"
    awk -v busy=$(( tick1[0] - tick0[0] )) -v ours="$ours" -v wall=$(( t1 - t0 )) 'BEGIN {
            other = (busy / 100 - ours / 1e9) / (wall / 1e9)
            printf "%.2f\n", other < 0 ? 0 : other }' >"$dir/other-cpus"
    say "$kind: done in $(( (t1 - t0) / 1000000000 ))s"
}

say "results to $results, raw output to $raw"
if [[ " $SERVERS " == *" sockit-cluster "* ]]; then
    command -v redis-server >/dev/null 2>&1 || { say "sockit-cluster needs redis-server (apt-get install -y redis-server)"; exit 1; }
    redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    taskset -c 0 redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
        >"$raw/redis.log" 2>&1 &
    redis=$!
    for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null && break; sleep 0.1; done
    export SOCKIT_BENCH_REDIS="redis://127.0.0.1:$redis_port"
fi
# Each run in its own directory round-R/KIND; the servers' order reversed every other round.
runs() {
    local round=$1
    if (( round % 2 == 1 )); then echo $SERVERS; else echo $SERVERS | tr ' ' '\n' | tac | tr '\n' ' '; fi
}
# "KIND round R VALUE; ..." over the runs so far (no "round R" in a run of one round), each
# VALUE printed by COMMAND given the run's directory: describe_runs COMMAND.
describe_runs() {
    local dir kind
    for dir in "$raw"/round-*/*/; do
        [[ -d $dir ]] || continue
        kind=$(basename "$dir")
        printf '%s%s %s; ' "$kind" "$( (( ROUNDS > 1 )) && echo " $(basename "$(dirname "$dir")" | tr '-' ' ')" || true)" "$("$@" "$dir")"
    done | sed 's/; $//'
}
other_cpus() { cat "$1/other-cpus" 2>/dev/null || echo '?'; }
collections() {
    awk '/Pause/ { n++; ms = $NF; sub(/ms/, "", ms); if (ms + 0 > max) max = ms + 0 } END { printf "%d, longest %.1f ms", n, max }' "$1/gc.log" 2>/dev/null
}

# Writes the results file from the rounds done so far.
report() {
    local done=$1 netty_version
    "$JAVA" -cp "$BENCH_CLASSPATH" dev.sockit.bench.Arrivals --skip "$WARMUP" "$raw" $SERVERS >"$raw/table.md"
    netty_version=$(ls "$BENCH_DIR"/target/lib/netty-transport-native-epoll-*.jar 2>/dev/null | head -1 | sed 's/.*epoll-\(.*\)-linux.*/\1/')
    {
        echo "# Broadcast fan-out to $(printf "%'d" "$CONNS") clients, ${SERVERS// / vs }, $(date '+%Y-%m-%d %H:%M %Z')"
        echo
        echo "- machine: $(nproc) × $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), Linux $(uname -r)"
        echo "- JDK: $("$JAVA" -version 2>&1 | sed -n 2p)"
        echo "- servers: sockit core \`Server\` with \`Handlers.echo()\`, each connection a member of one \`Group\` while its handler runs, a push = \`group.broadcast(Message.of(line))\`, \`Heartbeat.OFF\`, other settings default (commit $GIT_REV); Netty ${netty_version:-?} epoll, one event loop, \`LineBasedFrameDecoder\` + echo handler, each channel added to a \`DefaultChannelGroup\`, a push = \`group.writeAndFlush(buffer)\`"
        echo "- server and pushing loop: one JVM \`${SERVER_JVM[*]}\` (\`dev.sockit.bench.FanOut\`)$(for v in "${!VARIANT_JVM[@]}"; do printf '; %s: the same with `%s`' "$v" "${VARIANT_JVM[$v]}"; done), pinned \`taskset -c 0\`; clients: $PROCESSES \`Audience\` processes of ~$(printf "%'d" $(( CONNS / PROCESSES ))) connections (one selector thread each, each from its own 127.x.y.z address), JVM \`${AUDIENCE_JVM[*]}\`, pinned together \`taskset -c 1\`"
        (( ROUNDS == 1 )) || echo "- $done of $ROUNDS rounds run; in each, every server once, in turn (${SERVERS// / then }; reversed every other round); a server's \"median of N rounds\" row is the median of each figure over its rounds, and the ratios compare those"
        echo "- $TOTAL pushes of one line \`SEQ NANOS\` (~25 bytes), ${PAUSE_MS} ms apart; the first $WARMUP left out (JIT warm-up; the first one is shown apart as \"cold\"); pushing starts 1 s after the server has all $(printf "%'d" "$CONNS") clients"
        echo "- time = the client's \`System.nanoTime()\` when its read returned the line − the server's \`System.nanoTime()\` just before the push began (CLOCK_MONOTONIC, one clock for every process on the machine); per push, the median and the largest over all clients; then p50, p99 (nearest rank: with $PUSHES pushes, the $(awk -v n="$PUSHES" 'BEGIN { r = int(0.99 * n); if (r < 0.99 * n) r++; print r }')th of $PUSHES) and max over the pushes"
        echo "- the clients' read time is in every figure: both client processes share one core, so the last client's time includes reading all $(printf "%'d" "$CONNS") sockets; \"clients' CPU per push\" shows what that costs"
        echo "- \"… still arriving at the next\": timed pushes whose last client had it only after the next push began (then two pushes shared the server and the clients, and both are timed slower; raise \`--pause-ms\`)"
        echo "- client reads per wake-up = connections with input each time a client's selector woke: the more bunched the arrivals, the less each read costs the clients"
        echo "- push call = how long \`broadcast\`/\`writeAndFlush\` took to return (both hand the writes to other threads); server CPU per push = the server process's CPU time over the timed pushes ÷ their number"
        echo "- other processes on the machine during each run (CPUs): $(describe_runs other_cpus) (the machine's busy CPU time during the run, interrupts included, less what our JVMs report, which includes the interrupts they were charged; above 0.1 the figures were disturbed)"
        echo "- garbage collections in the server during each run (the JVM, on one CPU, picks the serial collector): $(describe_runs collections)"
        [[ " $SERVERS " != *" plain "* ]] || echo "- plain: the floor, no framework (\`dev.sockit.bench.PlainPushServer\`): blocking \`SocketChannel\`s with \`TCP_NODELAY\`, accepted on a platform thread, never read; a push = the pushing thread writing the line from one direct buffer to each channel in turn (one \`write(2)\` each) before it returns, so its push call is the whole fan-out"
        echo "- its CPU per push: user / system / interrupts = the time per timed push of CPU 0, where the server runs (alone when other processes took 0.00 CPUs), from \`/proc/stat\` (ticks of 10 ms over the timed pushes and their pauses); interrupts are where loopback delivers a write into the client's socket, and are in the process's CPU time too (\"server CPU per push\", which is about their sum)"
        [[ " $SERVERS " != *" sockit-cluster "* ]] || echo "- sockit-cluster: two sockit nodes in the server's JVM joined through redis-server $(redis-server --version | awk '{print $3}' | sed 's/v=//') (pinned with it, \`taskset -c 0\`), each with its own port; half the client processes connect to each; a push = the first node's \`group.broadcast\`, which writes to its clients and publishes once to Redis for the second node's (redis-server's CPU is not in \"server CPU per push\"; both nodes' is)"
        echo "- target: sockit's p99 to the last client under 100 ms"
        echo "- reproduce: \`bench/broadcast.sh --conns $CONNS --pushes $PUSHES --warmup $WARMUP --pause-ms $PAUSE_MS --rounds $ROUNDS --servers \"$SERVERS\"${SERVER_JVM_EXTRA:+ --server-jvm \"$SERVER_JVM_EXTRA\"}$VARIANTS_GIVEN\` (raw records in bench/results/tmp/$(basename "$raw"))"
        echo
        cat "$raw/table.md"
    } >"$results"
}

group=0
for (( round = 1; round <= ROUNDS; round++ )); do
    (( ROUNDS == 1 )) || say "round $round of $ROUNDS"
    for kind in $(runs "$round"); do
        group=$(( group + 1 ))
        run "$kind" "$group" "$raw/round-$round/$kind"
    done
    report "$round"
done

say "wrote $results"
cat "$results"
