#!/usr/bin/env bash
# A graceful stop at scale: `sockit server --mode echo` holding N idle connections gets SIGTERM.
# How long until the process exits, how long until every client has read its connection's end,
# whether each end came as such (FIN: read returns -1) and never as a reset, whether replies
# left unread in the clients' buffers still arrive, the server's CPU during the stop, and what
# its log said. Writes a dated Markdown table to bench/results/DATE-stop.md; about 20 s for the
# default runs, a minute for the figures of docs/performance.md (the second line below).
#
#   bench/stop.sh                                   N = 1,000 and 10,000; peers that close at the end
#   bench/stop.sh --sizes "1000 10000" --peers "close hold" --repeats 2
#   bench/stop.sh --no-build                        use what is already built (or NO_BUILD=1)
#   bench/stop.sh --server-jvm "-Xlog:gc"           more options for the server's JVM
#
# --peers close: each client closes its socket when it reads the end (as sockit client and nc
# do); hold: it keeps the socket open, so each of the server's closes waits out its linger
# (a second at most) for an end that never comes.
# --mid K / --unread K (defaults 1% of N each): K of the connections sent half a line (to be
# dropped) / a whole line whose echo they leave unread until the stop.
#
# Each run: a fresh server JVM (`java -jar cli/target/sockit.jar server tcp://127.0.0.1:9151
# --mode echo --quiet --no-console --log-format json`, with bin/sockit's server options), pinned to CPU 0; the
# clients, dev.sockit.bench.EndWatch processes of at most 5,000 connections each (the limit
# here is 20,000 open files per process), each from a 127.x.y.z address of its own, pinned to
# CPU 1; once all are connected and the server has held them SETTLE s (the idle ones then
# wait in its waiting room, without a thread), the clients are told "go" and the server gets
# SIGTERM. Times are wall-clock (date +%s%N and Java's Instant.now()), from the signal.
#
# Needs: Linux, 2 CPUs, taskset, ss, Maven unless --no-build. Loopback only, port 9151.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SIZES="1000 10000"
PEERS="close"
REPEATS=1
MID="" UNREAD=""
NO_BUILD=${NO_BUILD:-}
PORT=9151                           # outside the ephemeral range (32768-60999)
PER_PROCESS=5000                    # connections per EndWatch process
SETTLE=3                            # seconds the server holds every connection before the stop
END_WAIT=20                         # seconds the clients may wait for their ends after the signal
LIMIT=240                           # seconds after which every client ends itself
# bin/sockit's server options (MaxNewSize, the selector provider), and the heap fixed.
SERVER_JVM=(-Xms512m -Xmx512m -XX:MaxNewSize=32m --enable-native-access=ALL-UNNAMED
    -Djava.nio.channels.spi.SelectorProvider=sun.nio.ch.EPollSelectorProvider)
SERVER_OPTIONS=(--mode echo --quiet --no-console --log-format json --max-connections 20000 --max-per-source 20000)
CLIENT_JVM=(-Xms64m -Xmx256m)

usage() { sed -n '2,28p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while (( $# > 0 )); do
    case "$1" in
        --sizes) SIZES=${2:?--sizes needs a list, e.g. \"1000 10000\"}; shift 2 ;;
        --peers) PEERS=${2:?--peers needs a list: close, hold}; shift 2 ;;
        --repeats) REPEATS=${2:?--repeats needs a number}; shift 2 ;;
        --mid) MID=${2:?--mid needs a number}; shift 2 ;;
        --unread) UNREAD=${2:?--unread needs a number}; shift 2 ;;
        --server-jvm) read -r -a extra <<<"${2:?--server-jvm needs JVM options}"; SERVER_JVM+=("${extra[@]}"); shift 2 ;;
        --no-build) NO_BUILD=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench/stop.sh: unknown argument \"$1\"; see bench/stop.sh --help" >&2; exit 2 ;;
    esac
done
for n in $SIZES; do
    [[ $n =~ ^[0-9]+$ ]] && (( n >= 1 && n <= 19000 )) \
        || { echo "bench/stop.sh: size \"$n\" must be 1 to 19000: the server may open at most 20,000 files" >&2; exit 2; }
done
for p in $PEERS; do
    [[ $p == close || $p == hold ]] || { echo "bench/stop.sh: unknown peers \"$p\"; choose close, hold" >&2; exit 2; }
done
[[ $REPEATS =~ ^[1-9]$ ]] || { echo "bench/stop.sh: --repeats must be 1 to 9" >&2; exit 2; }
for tool in taskset ss; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench/stop.sh: $tool not found" >&2; exit 1; }
done
(( $(nproc) >= 2 )) || { echo "bench/stop.sh: needs 2 CPUs (server on 0, clients on 1)" >&2; exit 1; }
find_java
[[ -n $NO_BUILD ]] || build
JAR="$ROOT_DIR/cli/target/sockit.jar"
[[ -f $JAR ]] || { echo "bench/stop.sh: $JAR not found; build it (mvn -pl cli -am package)" >&2; exit 1; }
ss -Htln "( sport = :$PORT )" | grep -q . && { echo "bench/stop.sh: port $PORT is in use" >&2; exit 1; }

result_files stop
GIT_REV=$(git_rev)
NET=$(( 16 + RANDOM % 224 ))
TICK=$(getconf CLK_TCK)

server="" clients=() fifos=() fds=()
cleanup() {
    local pid fd
    for fd in "${fds[@]}"; do exec {fd}>&- 2>/dev/null || true; done
    for pid in "${clients[@]}" $server; do kill "$pid" 2>/dev/null || true; done
    for pid in "${clients[@]}" $server; do wait "$pid" 2>/dev/null || true; done
    rm -f "${fifos[@]}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "bench/stop.sh: $*" >&2; }
established() { ss -Htn state established "( sport = :$PORT )" | wc -l; }
all_ready() { local f; for f in "$@"; do grep -qs '^ready' "$f" || return 1; done; }
all_ended() { local f; for f in "$@"; do grep -qs '^ended' "$f" || return 1; done; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
threads() { awk '/^Threads:/ { print $2 }' "/proc/$1/status"; }
# The CPU time (ms) of the children this shell has waited for, user + system, from the output of
# `times` in $1 (run in this shell: in a command substitution's subshell it would count its own).
children_ms() {
    sed -n 2p "$1" | awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60000 + a[2] * 1000 } printf "%.0f", t }'
}

run=0
for (( repeat = 1; repeat <= REPEATS; repeat++ )); do
for peers in $PEERS; do
for n in $SIZES; do
    run=$(( run + 1 ))
    name="$n-$peers-r$repeat"
    mid=${MID:-$(( n / 100 ))} unread=${UNREAD:-$(( n / 100 ))}
    log="$raw/server-$name.log"
    say "$name: starting the server"
    taskset -c 0 "$JAVA" "${SERVER_JVM[@]}" -jar "$JAR" server "tcp://127.0.0.1:$PORT" "${SERVER_OPTIONS[@]}" \
        >"$log" 2>&1 &
    server=$!
    await "the server's start (see $log)" 60 grep -qs "Server start at" "$log"

    processes=$(( (n + PER_PROCESS - 1) / PER_PROCESS ))
    clients=() fifos=() fds=() logs=() records=()
    for (( i = 0; i < processes; i++ )); do
        count=$(( n / processes + (i < n % processes ? 1 : 0) ))
        m=$(( mid / processes + (i < mid % processes ? 1 : 0) ))
        u=$(( unread / processes + (i < unread % processes ? 1 : 0) ))
        fifo="$raw/go-$name-$i.fifo"
        mkfifo "$fifo"
        fifos+=("$fifo")
        exec {fd}<>"$fifo"
        fds+=("$fd")
        logs+=("$raw/client-$name-$i.log") records+=("$raw/ends-$name-$i.txt")
        hold=()
        [[ $peers == hold ]] && hold=(--hold)
        # Each fifo's only writer is this shell: a client holding another's open would never see its end.
        (
            for f in "${fds[@]}"; do exec {f}>&-; done
            exec taskset -c 1 "$JAVA" "${CLIENT_JVM[@]}" -cp "$BENCH_CLASSPATH" dev.sockit.bench.EndWatch "$PORT" "$count" \
                --from "127.$(( (NET + run / 250) % 224 + 16 )).$(( run % 250 + 1 )).$(( i + 1 ))" --seconds "$LIMIT" \
                --mid "$m" --unread "$u" --record "${records[-1]}" "${hold[@]}"
        ) <"$fifo" >"${logs[-1]}" 2>&1 &
        clients+=($!)
    done
    await "$n clients connected (see ${logs[*]})" 120 all_ready "${logs[@]}"
    await "the server holding all $n connections" 60 test "$(established)" -ge "$n"
    sleep "$SETTLE"
    before_threads=$(threads "$server")
    before_ticks=$(cpu_ticks "$server")
    times >"$raw/times"
    before_children=$(children_ms "$raw/times")

    say "$name: $n connections held ($before_threads server threads); stopping the server"
    for fd in "${fds[@]}"; do echo go >&"$fd"; done
    signalled=$(date +%s%N)
    kill -TERM "$server"
    status=0
    wait "$server" || status=$?
    exited=$(date +%s%N)
    times >"$raw/times"
    after_children=$(children_ms "$raw/times")
    server=""
    # The server's whole CPU time (it is a waited-for child now) less what it had used before.
    stop_cpu_ms=$(( after_children - before_children - before_ticks * 1000 / TICK ))

    within "$END_WAIT" all_ended "${logs[@]}" || say "$name: clients still waiting for their ends ${END_WAIT}s after the signal"
    for fd in "${fds[@]}"; do exec {fd}>&-; done
    for pid in "${clients[@]}"; do wait "$pid" 2>/dev/null || true; done
    clients=() fds=()
    rm -f "${fifos[@]}"
    fifos=()

    # The ends, in ms after the signal: counts, then order statistics of the sorted times.
    all=$(cat "${records[@]}")
    counts=$(awk '{ kind[$1]++; if ($5 == "unread") { unread++; echoed += $4 } }
        END { printf "%d %d %d %d %d", kind["fin"] + 0, kind["reset"] + 0, kind["open"] + 0, unread + 0, echoed + 0 }' <<<"$all")
    times_ms=$(awk -v t0="$(( signalled / 1000 ))" '$1 != "open" { printf "%.1f\n", ($2 - t0) / 1000 }' <<<"$all" | sort -n)
    order=$(awk '{ t[NR] = $1 } END { if (NR == 0) { print "-1 -1 -1 -1"; exit }
        p99 = int(NR * 0.99 + 0.5); if (p99 < 1) p99 = 1
        print t[1], t[int((NR + 1) / 2)], t[p99], t[NR] }' <<<"$times_ms")
    # The server's own times (its JSON log, in ms): the stop hook began; Server.close() returned.
    event_ms() { local t; t=$(grep -o "\"time\":\"[^\"]*\",\"level\":\"[a-z]*\",\"event\":\"$1\"" "$log" | head -1 | cut -d'"' -f4)
        [[ -n $t ]] && echo $(( $(date -d "$t" +%s%3N) - signalled / 1000000 )) || echo -1; }
    echo "$name $n $counts $(( (exited - signalled) / 1000000 )) $order $stop_cpu_ms $status $before_threads $(event_ms stopping) $(event_ms stopped)" >"$raw/$name.figures"
    errors=$(grep -v -E '"event":"(listening|stopping|stopped)"' "$log" | grep -c . || true)
    echo "$errors" >>"$raw/$name.figures"
    say "$name: $(head -1 "$raw/$name.figures") (log lines beyond start and stop: $errors)"
    sleep 2
done
done
done

# ---- the report ----
ms() { awk -v v="$1" 'BEGIN { printf (v < 0 ? "–" : "%\047.0f"), v }'; }
{
    echo "# A graceful stop with N idle connections, $(date '+%Y-%m-%d %H:%M %Z')"
    echo
    echo "- machine: $(nproc) × $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), Linux $(uname -r)"
    echo "- JDK: $("$JAVA" -version 2>&1 | sed -n 2p)"
    echo "- server: \`java ${SERVER_JVM[*]} -jar cli/target/sockit.jar server tcp://127.0.0.1:$PORT ${SERVER_OPTIONS[*]}\` (commit $GIT_REV), pinned \`taskset -c 0\`; default drain timeout (5 s); SIGTERM after it held every connection ${SETTLE} s"
    echo "- clients: \`EndWatch\` processes of at most $(printf "%'d" $PER_PROCESS) connections, pinned \`taskset -c 1\`, each from its own 127.x.y.z; of N, ${MID:-1% (N/100)} sent half a line (\`partial\`, no newline) and ${UNREAD:-1% (N/100)} sent \`hello\` and left its echo unread until the stop; the rest silent. peers \`close\`: a client closes its socket when it reads the end; \`hold\`: it keeps it open"
    echo "- exit = SIGTERM to the server process's exit; ends = when each client read its connection's end, after the SIGTERM (wall clock, ms); FIN = a read returned -1, reset = the read failed; echoes = unread connections whose \`hello\` echo arrived before the end; CPU = the server's user + system time from the signal to its exit; the stop hook's begin and Server.close()'s return are the \`stopping\` and \`stopped\` events of the server's JSON log (ms resolution); log lines = lines other than those and the start line"
    echo "- reproduce: \`bench/stop.sh --sizes \"$SIZES\" --peers \"$PEERS\" --repeats $REPEATS${MID:+ --mid $MID}${UNREAD:+ --unread $UNREAD}\` (raw records in bench/results/tmp/$(basename "$raw"))"
    echo
    echo "| run | N | peers | stop hook began | Server.close() returned | exit | first end | median end | p99 end | last end | FIN | reset | not ended | echoes | server CPU | server threads before | exit status | log lines |"
    echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for f in "$raw"/*.figures; do
        read -r name n fin reset open unread echoed exit_ms first median p99 last cpu status threads stopping stopped < <(head -1 "$f")
        errors=$(sed -n 2p "$f")
        peers=${name#*-}; peers=${peers%-r*}
        echo "| $name | $(printf "%'d" "$n") | $peers | $(ms "$stopping") ms | $(ms "$stopped") ms | **$(ms "$exit_ms") ms** | $(ms "$first") ms | $(ms "$median") ms | $(ms "$p99") ms | **$(ms "$last") ms** | $fin | $reset | $open | $echoed / $unread | $(ms "$cpu") ms | $threads | $status | $errors |"
    done
} >"$results"
say "wrote $results"
cat "$results"
