#!/usr/bin/env bash
# Idle-connection scale: what a server spends per connection that sends nothing, sockit's
# core Server (Handlers.echo(), heartbeats off) against Netty 4.2 (NettyLineServer, the same
# echo pipeline), at 5,000, 10,000 and 19,000 connections, and whether it gives it back when
# they leave. Writes a dated Markdown table to bench/results/DATE-idle.md; about 3 minutes.
#
#   bench/idle.sh                                  5,000, 10,000 and 19,000 connections
#   bench/idle.sh --sizes "1000 2000" --servers sockit
#   bench/idle.sh --no-build                       use what is already built (or NO_BUILD=1)
#   bench/idle.sh --websocket --sizes 10000        idle WebSockets: ws:// endpoints, each client
#                                                  upgraded (101) before it falls silent; Netty's
#                                                  NettyWebSocketServer; to DATE-idle-websocket.md
#
# For each server and size N: a fresh server JVM, pinned to CPU 0; N connections come and go
# until 40,000 have (at least twice), so that what runs once (class loading, the JIT) is done
# before the baseline; then a full GC (jcmd GC.run) and the baseline: heap used, RSS (VmRSS),
# open files. The clients, dev.sockit.bench.Audience processes of at most 9,500 connections
# each (the limit here is 20,000 open files per process), pinned to CPU 1, each from a source
# address of its own, connect and send nothing; once the server has accepted every one and
# settled, a full GC and the same figures again, and a class histogram; then the clients
# leave and, once the server has closed their sockets, the figures a third time.
#
# The server's heap is fixed and touched up front (-Xms512m -Xmx512m -XX:+AlwaysPreTouch),
# so its RSS starts with the whole heap in it and grows only by memory outside the heap.
#
# Needs: Linux, 2 CPUs, taskset, jcmd (of the JDK 25 found), ss, Maven unless --no-build.
# Loopback only: the server on 127.0.0.1, clients from 127.N.N.N.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SIZES="5000 10000 19000"
SERVERS="sockit netty"
NO_BUILD=${NO_BUILD:-}
WEBSOCKET=""                        # --websocket: ws:// endpoints and upgraded clients
PER_PROCESS=9500                    # connections per Audience process: under the 20,000 open files
SETTLE=3                            # seconds between the last connection and the measurement
WARMUP_CONNECTIONS=40000            # connections that come and go (N at a time, at least twice) before the baseline
BASELINE_SETTLE=6                   # seconds before the baseline: the JIT frees its scratch memory every 5 s
# MarkSweepDeadRatio=0: a full GC compacts everything. Otherwise the serial collector (the one
# a JVM on one CPU picks) may leave up to 5% of the old generation as dead wood, counted as used.
SERVER_JVM=(-Xms512m -Xmx512m -XX:+AlwaysPreTouch -XX:MarkSweepDeadRatio=0 --enable-native-access=ALL-UNNAMED)
AUDIENCE_JVM=(-Xms64m -Xmx256m)
LIMIT=300                           # seconds after which every process started here ends itself

usage() { sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while (( $# > 0 )); do
    case "$1" in
        --sizes) SIZES=${2:?--sizes needs a list, e.g. \"5000 10000\"}; shift 2 ;;
        --servers) SERVERS=${2:?--servers needs a list, e.g. \"sockit netty\"}; shift 2 ;;
        --no-build) NO_BUILD=1; shift ;;
        --websocket) WEBSOCKET=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench/idle.sh: unknown argument \"$1\"; see bench/idle.sh --help" >&2; exit 2 ;;
    esac
done
for n in $SIZES; do
    [[ $n =~ ^[0-9]+$ ]] && (( n >= 1 && n <= 19000 )) \
        || { echo "bench/idle.sh: size \"$n\" must be 1 to 19000: the server may open at most 20,000 files" >&2; exit 2; }
done
for kind in $SERVERS; do
    [[ $kind == sockit || $kind == netty ]] || { echo "bench/idle.sh: unknown server \"$kind\"; choose sockit, netty" >&2; exit 2; }
done
for tool in taskset ss; do
    command -v "$tool" >/dev/null 2>&1 \
        || { echo "bench/idle.sh: $tool not found; install it (apt-get install ${tool/taskset/util-linux}; ss is in iproute2)" >&2; exit 1; }
done
(( $(nproc) >= 2 )) || { echo "bench/idle.sh: needs 2 CPUs (server on 0, clients on 1); this machine has $(nproc)" >&2; exit 1; }
find_java
JCMD="$JAVA_HOME/bin/jcmd"
[[ -x $JCMD ]] || { echo "bench/idle.sh: $JCMD not found; a full JDK 25 (not a JRE) is needed to read the server's heap" >&2; exit 1; }
[[ -n $NO_BUILD ]] || build

result_files idle${WEBSOCKET:+-websocket}
if [[ -n $WEBSOCKET ]]; then
    ENDPOINT=ws://127.0.0.1:0/echo AUDIENCE_OPTIONS=(--websocket /echo)
    NETTY_PIPELINE="\`NettyWebSocketServer\` (HttpServerCodec, HttpObjectAggregator, WebSocketServerProtocolHandler, echo; the HTTP handlers are replaced by the WebSocket ones after the upgrade)"
    CLIENTS="each upgraded to WebSocket (\`GET /echo\`, answered 101), then silent"
else
    ENDPOINT=tcp://127.0.0.1:0 AUDIENCE_OPTIONS=()
    NETTY_PIPELINE="\`LineBasedFrameDecoder\` + echo handler"
    CLIENTS="blocking connects, then silent"
fi
GIT_REV=$(git_rev)
# Source addresses: a second octet of this run's own, so no port of an earlier run's clients,
# waiting out TIME_WAIT on its address, is in the way.
NET=$(( 16 + RANDOM % 224 ))

server="" server_pid="" audiences=() fifo=""
cleanup() {
    local pid
    [[ -n $fifo ]] && { exec 7>&- || true; } 2>/dev/null
    for pid in "${audiences[@]}" $server; do kill "$pid" 2>/dev/null || true; done
    for pid in "${audiences[@]}" $server; do wait "$pid" 2>/dev/null || true; done
    [[ -z $fifo ]] || rm -f "$fifo"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "bench/idle.sh: $*" >&2; }

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status"; }
threads() { awk '/^Threads:/ {print $2}' "/proc/$server_pid/status"; }
fds() { ls "/proc/$server_pid/fd" | wc -l; }
established() { ss -Htn state established "( sport = :$1 )" | wc -l; }
fds_at_least() { (( $(fds) >= $1 )); }
fds_at_most() { (( $(fds) <= $1 )); }
all_ready() { local f; for f in "$@"; do grep -qs '^ready' "$f" || return 1; done; }

# A full GC, then the heap in use (KiB, every generation) as GC.heap_info reports it.
heap_after_gc_kib() {
    timeout 60 "$JCMD" "$server_pid" GC.run >/dev/null
    timeout 60 "$JCMD" "$server_pid" GC.heap_info \
        | awk '/total/ && /used/ { for (i = 1; i < NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?$/, "", v); s += v } } END { print s + 0 }'
}

# Figures of the server now: "heap_kib rss_kib fds threads", after a full GC.
measure() {
    local heap
    heap=$(heap_after_gc_kib)
    echo "$heap $(rss_kib) $(fds) $(threads)"
}

# Starts Audience processes holding $2 connections to port $1 between them, from addresses
# 127.NET.$3.*; they leave when fd 7 (the fifo) closes. Sets audiences and audience_logs.
start_audiences() {
    local port=$1 total=$2 group=$3 processes i count
    processes=$(( (total + PER_PROCESS - 1) / PER_PROCESS ))
    fifo="$raw/leave.fifo"
    rm -f "$fifo"
    mkfifo "$fifo"
    # Held open here for reading and writing (which never blocks), so each client's open for
    # reading returns at once; closing it, the only writer, is the clients' signal to leave.
    exec 7<>"$fifo"
    audiences=() audience_logs=()
    for (( i = 0; i < processes; i++ )); do
        count=$(( total / processes + (i < total % processes ? 1 : 0) ))
        audience_logs+=("$raw/audience-$group-$i.log")
        timeout --kill-after=5 "$LIMIT" taskset -c 1 "$JAVA" "${AUDIENCE_JVM[@]}" -cp "$BENCH_CLASSPATH" \
            dev.sockit.bench.Audience "$port" "$count" --from "127.$(( (NET + group / 250) % 224 + 16 )).$(( group % 250 + 1 )).$(( i + 1 ))" \
            --seconds "$LIMIT" "${AUDIENCE_OPTIONS[@]}" \
            <"$fifo" 7>&- >"${audience_logs[-1]}" 2>&1 &
        audiences+=($!)
    done
}

stop_audiences() {
    local pid
    exec 7>&-
    for pid in "${audiences[@]}"; do wait "$pid" 2>/dev/null || true; done
    audiences=()
    rm -f "$fifo"
    fifo=""
}

start_server() {
    local kind=$1 log=$2
    timeout --kill-after=5 "$LIMIT" taskset -c 0 "$JAVA" "${SERVER_JVM[@]}" -cp "$BENCH_CLASSPATH" \
        dev.sockit.bench.ServerMain --no-heartbeat "$kind" "$ENDPOINT" echo >"$log" 2>&1 &
    server=$!
    await "the $kind server's start (see $log)" 60 grep -qs "listening on" "$log"
    server_pid=$(sed -n 's/.*(pid \([0-9]*\)).*/\1/p' "$log")
    port=$(sed -n 's/.*listening on [a-z]*:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$log")
    # With one CPU the JVM picks its garbage collector itself; the report says which.
    gc=$(timeout 60 "$JCMD" "$server_pid" VM.flags | grep -o 'Use[A-Za-z0-9]*GC' | head -1 || true)
}

stop_server() {
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server="" server_pid=""
}

say "results to $results, raw output to $raw"
group=0
for kind in $SERVERS; do
    for n in $SIZES; do
        name="$kind-$n"
        say "$name: starting the server"
        start_server "$kind" "$raw/server-$name.log"
        # N connections come and go, again and again, before the baseline: what happens only
        # for the first ones (classes loaded, the JIT's compiling and its scratch memory, which
        # malloc keeps) is then not counted per connection. It matters for sockit most: a
        # virtual thread parks by copying its frames to the heap, and a handler parked in
        # interpreted frames keeps ~3.5 KB there, in frames compiled by C2 ~0.6 KB (measured:
        # cycles of 5,000 get there after about 40,000).
        cycles=$(( (WARMUP_CONNECTIONS + n - 1) / n ))
        (( cycles >= 2 )) || cycles=2
        say "$name: warming up, $cycles × $n connections"
        for (( cycle = 1; cycle <= cycles; cycle++ )); do
            group=$(( group + 1 ))
            start_audiences "$port" "$n" "$group"
            await "$n warm-up connections to the $kind server" 180 all_ready "${audience_logs[@]}"
            await "the $kind server accepting the $n warm-up connections" 60 test "$(established "$port")" -ge "$n"
            stop_audiences
            await "the $kind server closing the warm-up connections" 60 test "$(established "$port")" -eq 0
        done
        sleep "$BASELINE_SETTLE"
        m=$(measure)
        read -r heap0 rss0 fds0 threads0 <<<"$m"
        timeout 60 "$JCMD" "$server_pid" GC.class_histogram >"$raw/histogram-$name-0.txt"
        say "$name: before: heap ${heap0} KiB, RSS ${rss0} KiB, $fds0 files, $threads0 threads; connecting $n clients"

        group=$(( group + 1 ))
        started=$SECONDS
        start_audiences "$port" "$n" "$group"
        await "$n clients ready" 180 all_ready "${audience_logs[@]}"
        await "the $kind server accepting all $n connections" 60 fds_at_least $(( fds0 + n ))
        connect_seconds=$(( SECONDS - started ))
        sleep "$SETTLE"
        m=$(measure)
        read -r heap1 rss1 fds1 threads1 <<<"$m"
        timeout 60 "$JCMD" "$server_pid" GC.class_histogram >"$raw/histogram-$name.txt"
        say "$name: with $n: heap ${heap1} KiB, RSS ${rss1} KiB, $fds1 files, $threads1 threads (all connected in ${connect_seconds}s)"

        stop_audiences
        started=$SECONDS
        # A server that keeps sockets of departed clients open is what this looks for: say so, and measure anyway.
        within 30 fds_at_most "$fds0" || say "$name: the server still has $(fds) files open 30 s after the clients left (before: $fds0)"
        close_seconds=$(( SECONDS - started ))
        sleep "$SETTLE"
        m=$(measure)
        read -r heap2 rss2 fds2 threads2 <<<"$m"
        timeout 60 "$JCMD" "$server_pid" GC.class_histogram >"$raw/histogram-$name-after.txt"
        say "$name: after they left: heap ${heap2} KiB, RSS ${rss2} KiB, $fds2 files, $threads2 threads"
        stop_server
        echo "$kind $n $heap0 $rss0 $fds0 $threads0 $heap1 $rss1 $fds1 $threads1 $heap2 $rss2 $fds2 $threads2 $connect_seconds $close_seconds ${gc:-?}" \
            >"$raw/$name.figures"
    done
done

# ---- the report ----

# Bytes per connection from KiB before and with n: (with - before) * 1024 / n.
per() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { printf "%\047.0f", (b - a) * 1024 / n }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
signed_mib() { awk -v d="$1" 'BEGIN { printf "%+.1f", d / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a <= 0 || b <= 0) print "–"; else printf "%.2f×", a / b }'; }
figures() { cat "$raw/$1-$2.figures" 2>/dev/null; }

# The classes whose instances grew most from the baseline to n connections, per connection.
top_classes() {
    local name=$1 n=$2
    awk -v n="$n" '$1 ~ /^[0-9]+:$/ { if (FILENAME ~ /-0\.txt$/) { c0[$4] = $2; b0[$4] = $3 } else { c[$4] = $2; b[$4] = $3 } }
        END { for (k in b) if (b[k] - b0[k] > 0) printf "%d\t| `%s` | %.2f | %\047.0f |\n", b[k] - b0[k], k, (c[k] - c0[k]) / n, (b[k] - b0[k]) / n }' \
        "$raw/histogram-$name-0.txt" "$raw/histogram-$name.txt" | sort -rn | cut -f2- | head -"$3"
}

netty_version=$(ls "$BENCH_DIR"/target/lib/netty-transport-native-epoll-*.jar 2>/dev/null | head -1 | sed 's/.*epoll-\(.*\)-linux.*/\1/')
{
    echo "# Idle ${WEBSOCKET:+WebSocket }connections: memory per connection, sockit vs Netty, $(date '+%Y-%m-%d %H:%M %Z')"
    echo
    echo "- machine: $(nproc) × $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), Linux $(uname -r)"
    echo "- JDK: $("$JAVA" -version 2>&1 | sed -n 2p); the server JVM, seeing one CPU, chose \`-XX:+$(cat "$raw"/*.figures 2>/dev/null | awk '{print $NF; exit}')\`"
    echo "- servers: \`ServerMain --no-heartbeat sockit|netty $ENDPOINT echo\` — sockit core \`Server\` with \`Handlers.echo()\`, \`Heartbeat.OFF\` (no pings, no idle timeout, no TCP keepalive), other settings default (commit $GIT_REV); Netty ${netty_version:-?} epoll, $NETTY_PIPELINE, one event loop; each a fresh JVM \`${SERVER_JVM[*]}\`, pinned \`taskset -c 0\`"
    echo "- clients: \`Audience\` processes (one selector thread, $CLIENTS) of at most $(printf "%'d" $PER_PROCESS) connections each, each from its own 127.x.y.z address, JVM \`${AUDIENCE_JVM[*]}\`, pinned \`taskset -c 1\`"
    echo "- per run: N connections come and go until $(printf "%'d" $WARMUP_CONNECTIONS) have, at least twice (warm-up: classes loaded, the accept, first-read and close paths compiled by C2); ${BASELINE_SETTLE} s later a full GC (\`jcmd PID GC.run\`) and the baseline; N clients connect; ${SETTLE} s after the server has accepted the last, full GC and measure; clients leave; ${SETTLE} s after the server's open files are back to the baseline, full GC and measure"
    echo "- heap = used after the full GC (\`jcmd PID GC.heap_info\`, all generations); RSS = \`VmRSS\` of \`/proc/PID/status\`. The heap is touched up front (\`AlwaysPreTouch\`), so RSS growth is memory **outside** the Java heap; memory per connection = heap + RSS growth"
    echo "- per connection = (value with N − baseline) ÷ N. RSS outside the heap moves by a few MiB between any two readings, N or no N (the JIT's and malloc's own housekeeping), so RSS growth per connection is ± a few hundred bytes at these N, and negative where it shrank; the heap figure is exact"
    echo "- neither figure holds the kernel's own memory per socket (socket, file, epoll entry, buffers), which is the same for both servers"
    echo "- reproduce: \`bench/idle.sh${WEBSOCKET:+ --websocket} --sizes \"$SIZES\" --servers \"$SERVERS\"\` (raw figures and class histograms in bench/results/tmp/$(basename "$raw"))"
    echo
    echo "| server | N | heap per connection | RSS growth per connection | heap: before → with N → after | RSS: before → with N → after | open files: before → with N → after | threads: before → with N → after |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    for kind in $SERVERS; do
        for n in $SIZES; do
            read -r _ _ h0 r0 f0 t0 h1 r1 f1 t1 h2 r2 f2 t2 _ < <(figures "$kind" "$n") || { echo "| $kind | $n | failed | | | | | |"; continue; }
            echo "| $kind | $(printf "%'d" "$n") | **$(per "$h0" "$h1" "$n") B** | $(per "$r0" "$r1" "$n") B | $(mib "$h0") → $(mib "$h1") → $(mib "$h2") MiB | $(mib "$r0") → $(mib "$r1") → $(mib "$r2") MiB | $f0 → $f1 → $f2 | $t0 → $t1 → $t2 |"
        done
    done
    if [[ " $SERVERS " == *" sockit "* && " $SERVERS " == *" netty "* ]]; then
        echo
        echo "sockit ÷ Netty, per connection (below 1.00× favours sockit; – where either figure is not above zero):"
        echo
        echo "| N | heap | RSS growth |"
        echo "|---:|---:|---:|"
        for n in $SIZES; do
            read -r _ _ sh0 sr0 _ _ sh1 sr1 _ < <(figures sockit "$n") || continue
            read -r _ _ nh0 nr0 _ _ nh1 nr1 _ < <(figures netty "$n") || continue
            echo "| $(printf "%'d" "$n") | $(ratio $((sh1 - sh0)) $((nh1 - nh0))) | $(ratio $((sr1 - sr0)) $((nr1 - nr0))) |"
        done
    fi
    echo
    echo "After the clients left: heap and RSS against the baseline (MiB), and open files back to the baseline?"
    echo
    echo "| server | N | heap after − before | RSS after − before | open files after − before | all closed within |"
    echo "|---|---:|---:|---:|---:|---:|"
    for kind in $SERVERS; do
        for n in $SIZES; do
            read -r _ _ h0 r0 f0 _ _ _ _ _ h2 r2 f2 _ _ closing _ < <(figures "$kind" "$n") || continue
            echo "| $kind | $(printf "%'d" "$n") | $(signed_mib $((h2 - h0))) MiB | $(signed_mib $((r2 - r0))) MiB | $((f2 - f0)) | $( (( f2 <= f0 )) && echo "${closing} s" || echo "not after 30 s") |"
        done
    done
    largest=${SIZES##* }
    for kind in $SERVERS; do
        [[ -s "$raw/histogram-$kind-$largest.txt" ]] || continue
        echo
        echo "Where $kind's heap goes with $(printf "%'d" "$largest") connections: the classes that grew most from the baseline (\`jcmd PID GC.class_histogram\`, after a full GC), per connection:"
        echo
        echo "| class | instances per connection | bytes per connection |"
        echo "|---|---:|---:|"
        top_classes "$kind-$largest" "$largest" 15
    done
} >"$results"

say "wrote $results"
cat "$results"
