#!/usr/bin/env bash
# Connection churn: how fast sockit's Server accepts, serves one message and closes
# short-lived connections, against Netty 4.2 (epoll), under `sockit bench --churn`, and what
# each connection costs the server in CPU. Writes a dated Markdown report to bench/results/.
#
# Each server is the bench module's ack server (ServerMain KIND ENDPOINT ack), pinned to CPU 0
# (taskset -c 0); the generator, `sockit bench --churn`, is pinned to CPU 1: each of its --loops
# loops, a thread each, connects, sends one 64-byte line, awaits the reply, closes first and
# starts again. For every loop count the servers take turns, --repeats times (the first one
# changing from round to round); the report gives each figure's median over the repeats and
# the spread ((max - min) ÷ median), and the ratios against Netty's, "faster" or "slower" only
# when every run of one beat every run of the other. Server CPU per connection is the server
# process's user + system time from /proc/PID/stat over the measured window, divided by the
# connections answered in it. Before each run the script waits for the machine to be idle; a
# run during which other processes took more than 0.05 CPUs is repeated (up to --tries times).
#
# Other builds race in the same run, as in bench/run.sh: --before DIR adds "before", the sockit
# server of another checkout (a git worktree of main, say; built by the script unless
# --no-build); --variant NAME=OPTIONS adds this build's sockit server with extra JVM options.
#
# TIME_WAIT: the client closes first, so every connection leaves a TIME_WAIT socket on the
# generator's side for 60 s. Linux lets connect() reuse such a port towards loopback once it is
# a second old (net.ipv4.tcp_tw_reuse=2, the default, or 1), so the 28,232 ephemeral ports of
# 32768-60999 bound a run to about 28,000 connections a second, above what one CPU of
# generator reaches; the script refuses to run with tcp_tw_reuse=0, where a minute's
# connections (warmup, run and the runs before it) would have to fit in those ports. Should
# ports run out anyway, the generator counts each failed connect as an error ("no local port")
# and the report shows it. Open files: a loop holds one socket at a time.
#
#   bench/churn.sh                                 loops 1, 16, 256; sockit and Netty; 3 repeats of 2 s (~5 min)
#   bench/churn.sh --loops "1 16" --repeats 5 --duration 3s
#   bench/churn.sh --before /work/wt/main          this build, the build in /work/wt/main and Netty
#   bench/churn.sh --variant nt=-Dsockit.example=false
#                                                  this build's server with those JVM options beside it
#   bench/churn.sh --no-build                      use what is already built
#   bench/churn.sh --report DIR                    only rewrite the report from bench/results/tmp/DIR
#
# Needs: Linux with 2 or more CPUs, taskset, jq, Maven, a JDK 25. Everything runs on 127.0.0.1,
# ports 9131-9139.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

LOOPS="1 16 256"
REPEATS=3
DURATION=2s
WARMUP=1s
SIZE=64
SERVERS="sockit netty"
BEFORE_DIR=
VARIANTS=""
TRIES=3
NOISY=0.05
NO_BUILD=${NO_BUILD:-}
REPORT_ONLY=
RUN_TIMEOUT=120
SERVER_JVM=(-Xms1g -Xmx1g --enable-native-access=ALL-UNNAMED)
BENCH_JVM=(-Xms256m -Xmx256m)

usage() {
    sed -n '2,38p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

while (( $# > 0 )); do
    case "$1" in
        --loops) LOOPS=${2:?--loops needs a list, e.g. \"1 16 256\"}; shift 2 ;;
        --repeats) REPEATS=${2:?--repeats needs a number, e.g. 3}; shift 2 ;;
        --duration) DURATION=${2:?--duration needs a value, e.g. 2s}; shift 2 ;;
        --warmup) WARMUP=${2:?--warmup needs a value, e.g. 1s}; shift 2 ;;
        --size) SIZE=${2:?--size needs a number of bytes}; shift 2 ;;
        --servers) SERVERS=${2:?--servers needs a list, e.g. \"sockit netty\"}; shift 2 ;;
        --before) BEFORE_DIR=${2:?--before needs a directory: a checkout of sockit}; shift 2 ;;
        --variant) VARIANTS+="${2:?--variant needs NAME=JVM-OPTIONS}"$'\n'; shift 2 ;;
        --tries) TRIES=${2:?--tries needs a number}; shift 2 ;;
        --no-build) NO_BUILD=1; shift ;;
        --report) REPORT_ONLY=${2:?--report needs a directory under bench/results/tmp}; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench/churn.sh: unknown argument \"$1\"; see bench/churn.sh --help" >&2; exit 2 ;;
    esac
done

for tool in taskset jq; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench/churn.sh: $tool not found; install it (apt-get install ${tool/taskset/util-linux})" >&2; exit 1; }
done
(( $(nproc) >= 2 )) || { echo "bench/churn.sh: needs 2 CPUs (server on 0, load on 1); this machine has $(nproc)" >&2; exit 1; }
[[ $REPEATS =~ ^[1-9][0-9]*$ ]] || { echo "bench/churn.sh: --repeats needs a whole number of 1 or more, not \"$REPEATS\"" >&2; exit 2; }
for loops in $LOOPS; do
    [[ $loops =~ ^[1-9][0-9]*$ ]] && (( loops <= 4096 )) \
        || { echo "bench/churn.sh: --loops takes whole numbers from 1 to 4096, not \"$loops\"" >&2; exit 2; }
done
if [[ -z $REPORT_ONLY ]]; then
    reuse=$(cat /proc/sys/net/ipv4/tcp_tw_reuse 2>/dev/null || echo unknown)
    if [[ $reuse == 0 ]]; then
        echo "bench/churn.sh: net.ipv4.tcp_tw_reuse is 0, so each connection's port stays taken for the 60 s of its" >&2
        echo "  TIME_WAIT and a run would exhaust the ephemeral ports; set it to 2 (the default: loopback only):" >&2
        echo "  sysctl -w net.ipv4.tcp_tw_reuse=2" >&2
        exit 1
    fi
fi

servers_raced "/work/wt/main main" ""

find_java
if [[ -n $REPORT_ONLY ]]; then
    raw="$BENCH_DIR/results/tmp/$(basename "$REPORT_ONLY")"
    [[ -f "$raw/settings" ]] || { echo "bench/churn.sh: $raw has no settings file" >&2; exit 1; }
    source "$raw/settings"
    results="$BENCH_DIR/results/$(basename "$raw").md"
else
    if [[ -z $NO_BUILD ]]; then
        build
        if [[ -n $BEFORE_DIR ]]; then
            echo "bench: building core and bench in $BEFORE_DIR" >&2
            (cd "$BEFORE_DIR" && MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}" mvn -q -DskipTests -pl core,bench -am package) \
                || { echo "bench: the build in $BEFORE_DIR failed" >&2; exit 1; }
        fi
    fi
    [[ -z $BEFORE_DIR || -d "$BEFORE_DIR/bench/target/classes" ]] \
        || { echo "bench/churn.sh: $BEFORE_DIR is not built; leave out --no-build" >&2; exit 1; }
    result_files churn
    declare -p LOOPS REPEATS DURATION WARMUP SIZE SERVERS BEFORE_DIR VARIANTS KINDS TRIES | sed 's/^declare -- //' >"$raw/settings"
    {
        echo "STARTED='$(date '+%Y-%m-%d %H:%M %Z')'"
        echo "GIT_REV='$(git_rev)'"
        [[ -z $BEFORE_DIR ]] || echo "BEFORE_REV='$(cd "$BEFORE_DIR" && git log -1 --format='%h %s' 2>/dev/null | cut -c1-100 | sed "s/'//g" || echo unknown)'"
        echo "TW_REUSE='$(cat /proc/sys/net/ipv4/tcp_tw_reuse 2>/dev/null || echo unknown)'"
        echo "PORT_RANGE='$(tr '\t' '-' </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo unknown)'"
    } >>"$raw/settings"
    source "$raw/settings"
fi

declare -A PORT=() PID=()
i=0
for kind in $KINDS; do PORT[$kind]=$((9131 + i)); i=$((i + 1)); done

cleanup() {
    local pid
    for pid in "${PID[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PID[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

start_server() {
    local kind=$1 port=${PORT[$1]} log="$raw/server-$1.log"
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "bench/churn.sh: port $port is taken; stop what listens there (ss -ltnp 'sport = :$port')" >&2
        exit 1
    fi
    # shellcheck disable=SC2086 # a variant's options are a list of words
    taskset -c 0 "$JAVA" "${SERVER_JVM[@]}" ${OPTS[$kind]} -cp "${CP[$kind]}" dev.sockit.bench.ServerMain \
        "${IMPL[$kind]}" "tcp://127.0.0.1:$port" ack >"$log" 2>&1 &
    PID[$kind]=$!
    for _ in $(seq 300); do
        grep -qs "listening on" "$log" && return 0
        kill -0 "${PID[$kind]}" 2>/dev/null || break
        sleep 0.1
    done
    echo "bench/churn.sh: the $kind server did not start; its log ($log) says:" >&2
    tail -5 "$log" >&2
    exit 1
}

# sockit bench --churn against one server; its JSON to $2 (or nowhere), its stderr to $3.
churn() {
    local kind=$1 out=$2 err=$3; shift 3
    timeout "$RUN_TIMEOUT" taskset -c 1 "$JAVA" "${BENCH_JVM[@]}" -cp "$CLI_CLASSPATH" dev.sockit.cli.BenchCommand \
        "tcp://127.0.0.1:${PORT[$kind]}" --churn --size "$SIZE" --server-pid "${PID[$kind]}" --json "$@" >"$out" 2>"$err"
}

run_one() {
    local kind=$1 loops=$2 rep=$3 name="churn-$2-$1-r$3" try status other
    for try in $(seq "$TRIES"); do
        wait_idle
        set +e
        churn "$kind" "$raw/$name.json" "$raw/$name.err" --conns "$loops" --duration "$DURATION" --warmup "$WARMUP"
        status=$?
        set -e
        echo "$try" >"$raw/$name.tries"
        if [[ ! -s "$raw/$name.json" ]] || ! jq -e '.answered > 0' "$raw/$name.json" >/dev/null 2>&1; then
            echo "  $name: no result (exit $status): $(tail -1 "$raw/$name.err")" >&2
            continue
        fi
        other=$(jq -r '.other_busy_cpus // 0' "$raw/$name.json")
        printf '  %-24s %8s conns/s  p99 %8s us  server %6s us/conn  errors %s  other CPUs %s%s\n' "$name" \
            "$(jq -r '.conns_per_s | floor' "$raw/$name.json")" "$(jq -r '.latency_us.p99 // "-"' "$raw/$name.json")" \
            "$(jq -r '.server_cpu_us_per_conn // "-"' "$raw/$name.json")" "$(jq -r '.errors' "$raw/$name.json")" "$other" \
            "$( (( status != 0 )) && echo "  exit $status: $(tail -1 "$raw/$name.err")" || true)" >&2
        awk -v o="$other" -v n="$NOISY" 'BEGIN { exit !(o <= n) }' && return 0
        (( try < TRIES )) && echo "  $name: other processes took $other CPUs; running it again" >&2
    done
    return 0
}

if [[ -z $REPORT_ONLY ]]; then
    echo "bench/churn.sh: results to $results, raw output to $raw" >&2
    for kind in $KINDS; do start_server "$kind"; done
    # Unmeasured load first, so that each server's JIT has compiled the accept and close paths.
    for kind in $KINDS; do
        churn "$kind" /dev/null "$raw/warm-$kind.err" --conns 16 --duration 3s --warmup 0s \
            || echo "  warming the $kind server: $(tail -1 "$raw/warm-$kind.err")" >&2
        kill -0 "${PID[$kind]}" 2>/dev/null || { echo "bench/churn.sh: the $kind server died; see $raw/server-$kind.log" >&2; exit 1; }
    done
    read -r -a order <<<"$KINDS"
    for loops in $LOOPS; do
        for rep in $(seq "$REPEATS"); do
            for i in "${!order[@]}"; do
                run_one "${order[$(( (i + rep - 1) % ${#order[@]} ))]}" "$loops" "$rep"
            done
        done
    done
    echo "TIME_WAIT_AFTER='$(ss -tan state time-wait 2>/dev/null | tail -n +2 | wc -l)'" >>"$raw/settings"
    source "$raw/settings"
fi

# ---- the report ----

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "null" || b == "null" || b == 0) print "–"; else printf "%.2f×", a / b }'; }
runs_of() {
    local kind=$1 loops=$2 rep f
    for rep in $(seq "$REPEATS"); do
        f="$raw/churn-$loops-$kind-r$rep.json"
        # A run that answered nothing (it failed, and says why in its .err) has no figures to take a median of.
        [[ -s $f ]] && jq -e '.answered > 0' "$f" >/dev/null 2>&1 && echo "$f"
    done
    return 0
}
# "higher"/"lower" when every run of A is above/below every run of B in FIELD, else "within noise".
verdict() {
    local field=$1 a=() b=(); shift
    while [[ $1 != -- ]]; do a+=("$1"); shift; done
    shift
    b=("$@")
    (( ${#a[@]} > 0 && ${#b[@]} > 0 )) || { echo "–"; return; }
    awk -v alo="$(jq -s "map($field) | min" "${a[@]}")" -v ahi="$(jq -s "map($field) | max" "${a[@]}")" \
        -v blo="$(jq -s "map($field) | min" "${b[@]}")" -v bhi="$(jq -s "map($field) | max" "${b[@]}")" \
        'BEGIN { if (alo == "null" || blo == "null") print "–"; else if (alo > bhi) print "higher"; else if (ahi < blo) print "lower"; else print "within noise" }'
}
marks() {
    local f noisy="" limited=""
    for f in "$@"; do
        awk -v o="$(jq -r '.other_busy_cpus // 0' "$f")" -v n="$NOISY" 'BEGIN { exit !(o > n) }' && noisy=" ✗"
        [[ $(jq -r '.generator_saturated' "$f") == true ]] && limited=" ⚠"
    done
    echo "$noisy$limited"
}
ratio_table() {
    local ref=$1 kinds=$2 loops kind k r
    echo "| loops | server | conns/s ÷ $ref | conns/s beyond the spread | p99 ÷ $ref | p99 beyond the spread | server CPU/conn ÷ $ref | CPU/conn beyond the spread | server CPU µs/conn, this / $ref |"
    echo "|---:|---|---:|---|---:|---|---:|---|---:|"
    for loops in $LOOPS; do
        for kind in $kinds; do
            mapfile -t k < <(runs_of "$kind" "$loops")
            mapfile -t r < <(runs_of "$ref" "$loops")
            if (( ${#k[@]} == 0 || ${#r[@]} == 0 )); then
                echo "| $loops | $kind | – | – | – | – | – | – | – |"
                continue
            fi
            local m
            m=$(marks "${k[@]}" "${r[@]}")
            echo "| $loops | $kind | $(ratio "$(median .conns_per_s "${k[@]}")" "$(median .conns_per_s "${r[@]}")")$m | $(verdict .conns_per_s "${k[@]}" -- "${r[@]}" | sed 's/higher/faster/; s/lower/slower/') | $(ratio "$(median .latency_us.p99 "${k[@]}")" "$(median .latency_us.p99 "${r[@]}")")$m | $(verdict .latency_us.p99 "${k[@]}" -- "${r[@]}") | $(ratio "$(median .server_cpu_us_per_conn "${k[@]}")" "$(median .server_cpu_us_per_conn "${r[@]}")")$m | $(verdict .server_cpu_us_per_conn "${k[@]}" -- "${r[@]}") | $(fixed "$(median .server_cpu_us_per_conn "${k[@]}")" 1) / $(fixed "$(median .server_cpu_us_per_conn "${r[@]}")" 1) |"
        done
    done
}

netty_version=$(ls "$BENCH_DIR"/target/lib/netty-transport-native-epoll-*.jar 2>/dev/null | head -1 | sed 's/.*epoll-\(.*\)-linux.*/\1/')
flags=""
[[ $LOOPS == "1 16 256" ]] || flags+=" --loops \"$LOOPS\""
[[ $REPEATS == 3 ]] || flags+=" --repeats $REPEATS"
[[ $DURATION == 2s ]] || flags+=" --duration $DURATION"
[[ $WARMUP == 1s ]] || flags+=" --warmup $WARMUP"
[[ $SIZE == 64 ]] || flags+=" --size $SIZE"
[[ $SERVERS == "sockit netty" ]] || flags+=" --servers \"$SERVERS\""
[[ -z $BEFORE_DIR ]] || flags+=" --before $BEFORE_DIR"
while IFS= read -r variant; do [[ -z $variant ]] || flags+=" --variant '$variant'"; done <<<"$VARIANTS"
{
    echo "# Connection churn: sockit vs Netty, ${STARTED:-?}"
    echo
    echo "- machine: $(nproc) × $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), Linux $(uname -r)"
    echo "- JDK: $("$JAVA" -version 2>&1 | head -2 | tail -1)"
    echo "- servers: the bench module's ack servers (\`ServerMain KIND tcp://127.0.0.1:PORT ack\`): sockit core \`Server\` with \`Handlers.ack\` (commit ${GIT_REV:-unknown}), Netty ${netty_version:-?} epoll; each JVM \`${SERVER_JVM[*]}\`, pinned \`taskset -c 0\`, first loaded 3 s unmeasured"
    [[ -z $BEFORE_DIR ]] || echo "- before: the sockit server of \`$BEFORE_DIR\` (commit ${BEFORE_REV:-unknown})"
    while IFS= read -r variant; do [[ -z $variant ]] || echo "- ${variant%%=*}: this build's sockit server with \`${variant#*=}\`"; done <<<"$VARIANTS"
    echo "- load: \`sockit bench --churn --conns LOOPS --size $SIZE --duration $DURATION --warmup $WARMUP --server-pid PID --json\`, a fresh JVM \`${BENCH_JVM[*]}\` per run, pinned \`taskset -c 1\`: each loop connects, sends one line, awaits the reply, closes (first) and starts again; every loop count $REPEATS times per server, the servers taking turns"
    echo "- latency: of a whole connection, from just before connect to the reply's newline; server CPU: the server's user + system time (/proc/PID/stat) in the measured window per connection answered"
    echo "- TIME_WAIT: net.ipv4.tcp_tw_reuse=${TW_REUSE:-?}, ephemeral ports ${PORT_RANGE:-?}; TIME_WAIT sockets at the end: ${TIME_WAIT_AFTER:-?}"
    echo "- a run starts when the machine is under ${IDLE_PERCENT}% busy and is repeated (up to $TRIES tries) when other processes took more than $NOISY CPUs during it"
    echo "- reproduce: \`bench/churn.sh$flags\`; raw JSON below"
    echo
    echo "Medians of $REPEATS runs; spread = (max - min) ÷ median. ⚠: the generator used 90% or more of its CPU in a run (the server may be faster than measured); ✗: other processes took more than $NOISY CPUs."
    echo
    echo "| loops | server | conns/s | spread | p50 | p90 | p99 | spread | p99.9 | errors | server CPU µs/conn | spread | generator CPUs | other CPUs |"
    echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for loops in $LOOPS; do
        for kind in $KINDS; do
            mapfile -t runs < <(runs_of "$kind" "$loops")
            if (( ${#runs[@]} == 0 )); then
                echo "| $loops | $kind | failed: $(tail -1 "$raw/churn-$loops-$kind-r1.err" 2>/dev/null | sed 's/|/\\|/g') | | | | | | | | | | | |"
                continue
            fi
            echo "| $loops | $kind | $(commas "$(median .conns_per_s "${runs[@]}")") | $(spread .conns_per_s "${runs[@]}") | $(latency "$(median .latency_us.p50 "${runs[@]}")") | $(latency "$(median .latency_us.p90 "${runs[@]}")") | $(latency "$(median .latency_us.p99 "${runs[@]}")") | $(spread .latency_us.p99 "${runs[@]}") | $(latency "$(median .latency_us.p99_9 "${runs[@]}")") | $(jq -s 'map(.errors) | add' "${runs[@]}")$(jq -rs 'map(select(.errors > 0) | .first_error) | if length > 0 then " (" + .[0] + ")" else "" end' "${runs[@]}" | sed 's/|/\\|/g') | $(fixed "$(median .server_cpu_us_per_conn "${runs[@]}")" 1) | $(spread .server_cpu_us_per_conn "${runs[@]}") | $(fixed "$(median .generator_cpus "${runs[@]}")" 2)$(marks "${runs[@]}" | grep -o '⚠' || true) | $(fixed "$(median .other_busy_cpus "${runs[@]}")" 2) |"
        done
    done
    others=$(for kind in $KINDS; do [[ $kind == netty ]] || echo "$kind"; done | paste -sd' ')
    if [[ " $KINDS " == *" netty "* && -n $others ]]; then
        echo
        echo "## against Netty"
        echo
        echo "Medians against Netty's in the same run. conns/s above 1.00× favours the server; p99 and CPU per connection below 1.00×."
        echo "Beyond the spread: \"faster\"/\"slower\", \"higher\"/\"lower\" only when every run of the one was beyond every run of the other."
        echo
        ratio_table netty "$others"
    fi
    others=$(for kind in $KINDS; do [[ $kind == netty || $kind == jdk || $kind == before ]] || echo "$kind"; done | paste -sd' ')
    if [[ -n $BEFORE_DIR && -n $others ]]; then
        echo
        echo "## against the before build"
        echo
        echo "Before: $BEFORE_DIR, commit ${BEFORE_REV:-unknown}; this build: commit ${GIT_REV:-unknown}."
        echo
        ratio_table before "$others"
    fi
    echo
    echo "<details><summary>raw results (one sockit bench --churn --json object per run, last try)</summary>"
    echo
    echo '```'
    for f in "$raw"/churn-*.json; do [[ -s $f ]] && echo "$(basename "$f" .json) tries=$(cat "${f%.json}.tries" 2>/dev/null || echo ?) $(cat "$f")"; done
    echo '```'
    echo
    echo "</details>"
} >"$results"

echo "bench/churn.sh: wrote $results" >&2
