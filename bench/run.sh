#!/usr/bin/env bash
# Races sockit's Server against Netty 4.2 (epoll) and a plain JDK server, each a line echo
# and a line ack server, under `sockit bench`, and writes a dated Markdown table to
# bench/results/.
#
# Each server runs pinned to CPU 0 (taskset -c 0) and the load generator to CPU 1, one
# event loop thread busy-polling (so waking the generator adds nothing to a round trip),
# so neither steals from the other. For every cell of the matrix —
# conns {1, 64, 1000} x depth {1, 16} x size {64, 1024}, for echo and for ack — the
# servers run one after another under identical load; with --repeats N each cell is run N
# times, the servers taking turns (the first one changes from round to round), and the report
# gives each figure's median over the N runs and the spread of msgs/s and p99 ((max - min) ÷
# median). Before each run the script waits for the machine to be idle; a run during which
# other processes took more than 0.05 CPUs is repeated (up to --tries times) and, if still
# disturbed, marked in the table.
#
# Other builds of sockit race in the same run: --before DIR adds the server "before", the
# bench module of another checkout of sockit (a git worktree of an older commit, built by the
# script unless --no-build), loaded by the same generator; --variant NAME=OPTIONS adds a
# server NAME, this build's sockit server with extra JVM options (poller settings, say). The
# report gives every server against Netty and, with --before, this build against the other.
#
# Closed loop by default: each connection keeps its depth of requests in flight, so when a
# server is at its limit the generator's own queue is in every latency. --rate R makes every
# run open loop instead: R requests per second in total, spread evenly over the connections
# (each connection's requests capped at its depth in flight), each reply timed from when its
# request was due, not from when it could be sent, so a late reply holds up no clock. Choose R
# below every server's closed-loop rate in the cells raced (a short closed-loop run tells); the
# report gives each server's achieved rate against R and marks "short" a run that fell more than
# 2% below it: that server could not keep up (its tail then includes its own backlog), and ⚠ a
# run whose generator released its requests late (more than 1 ms on average).
# Open loop warms each run's generator for 5 s unless --warmup says otherwise: warmed for 1 s,
# the generator's JIT was still at work as measuring began, and that pause was the p99.
#
# The bulk case measures throughput against the loopback ceiling: iperf3 (iperf3 -s on CPU 0,
# iperf3 -c on CPU 1, one stream of 128 KiB writes), then each server's discard mode (sockit's
# Raw framing with Handlers.discard(), Netty's DiscardServer, a plain InputStream loop) under
# sockit bench --mode discard, one connection of 128 KiB writes: Gbit/s and the ratio to iperf3,
# and each server's CPU per GB (iperf3's from the server CPU share its -J report gives).
# Loopback throughput swings with whatever else the machine runs, so the four take turns, round
# after round (3 rounds of 3 s after 1 s of warmup), and the report gives each one's median.
#
#   bench/run.sh                      the full matrix, 10 s measured after 2 s warmup (~20 min)
#   bench/run.sh --quick              5 cells, 2 s measured after 2 s warmup (~3 min)
#   bench/run.sh --bulk-only          only the bulk case (~1.5 min)
#   bench/run.sh --bulk-only --bulk-rounds 5 --bulk-duration 10s
#   bench/run.sh --no-bulk            only the line servers
#   bench/run.sh --servers "sockit netty" --modes echo --duration 5s
#   bench/run.sh --no-bulk --repeats 3 --conns "1 64" --sizes 64 --duration 3s --warmup 1s
#   bench/run.sh --no-bulk --repeats 3 --before /work/wt/before --servers "sockit netty"
#                                     this build, the build in /work/wt/before and Netty
#   bench/run.sh --no-bulk --variant rp4=-Djdk.readPollers=4 --servers "sockit netty"
#   bench/run.sh --conns "1 64" --depths 16 --sizes "64 1024"
#                                     only these cells of the matrix
#   bench/run.sh --no-bulk --rate 30000 --conns "64 1000" --depths 1 --sizes 64 --repeats 5
#                                     open loop: 30,000 requests a second in total, per cell
#   bench/run.sh --no-build           use what is already built
#   bench/run.sh --no-bulk --rate 45000 --server-jvm '-Xlog:gc*,safepoint:file={raw}/gc-{name}.log:time,uptime' \
#                --bench-jvm '-Xlog:gc*,safepoint:file={raw}/gc-{name}.log:time,uptime'
#                                     extra JVM options for every server (Netty and variants too) and for
#                                     the generator; {raw} is the run's raw folder and {name} the server's
#                                     KIND-MODE or the generator's run name, so each JVM logs to its own file
#   bench/run.sh --redo DIR           run again the runs in bench/results/tmp/DIR that were
#                                     disturbed (or failed), then rewrite DIR's report
#   bench/run.sh --report DIR         only rewrite the report from DIR's raw JSON
#
# Needs: Linux with 2 or more CPUs, taskset, jq, Maven, a JDK 25 (JAVA_HOME, then PATH,
# then /usr/lib/jvm/*), and for the bulk case iperf3. Everything runs on 127.0.0.1, ports 9101-9123.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

QUICK=0
DURATION=10s
WARMUP=         # --warmup; empty: 2s, or with --rate $OPEN_LOOP_WARMUP (common.sh)
SERVERS="sockit netty jdk"
MODES="echo ack"
CASES="lines bulk"      # --bulk-only: bulk; --no-bulk: lines
BULK_DURATION=3s        # each bulk run: measured, after BULK_WARMUP
BULK_WARMUP=1s
BULK_ROUNDS=3
TRIES=3
NO_BUILD=${NO_BUILD:-}
ACTION=matrix           # or redo, report: see --redo and --report
REUSE=
NOISY=0.05              # other processes' CPUs during a run above which it is redone
REPEATS=1               # runs of every cell per server, taking turns; the report gives medians
CONNS="1 64 1000"       # the matrix: --conns, --depths, --sizes
DEPTHS="1 16"
SIZES="64 1024"
BEFORE_DIR=             # --before: another checkout of sockit whose server races as "before"
VARIANTS=""             # --variant NAME=OPTIONS, as "NAME=OPTIONS" words separated by newlines
RATE=""                 # --rate: open loop at this many requests per second in total; empty: closed loop
SHORT=0.98              # an open-loop run that achieved less than this share of --rate fell short
RUN_TIMEOUT=600         # seconds after which one bench run is killed as hung
SERVER_EXTRA=""         # --server-jvm: JVM options for every server, {raw} and {name} expanded
BENCH_EXTRA=""          # --bench-jvm: JVM options for every generator JVM, likewise
SERVER_JVM=(-Xms1g -Xmx1g --enable-native-access=ALL-UNNAMED)
BENCH_JVM=(-Xms256m -Xmx256m)

usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

while (( $# > 0 )); do
    case "$1" in
        --quick) QUICK=1; DURATION=2s; WARMUP=2s; BULK_DURATION=2s; shift ;;
        --duration) DURATION=${2:?--duration needs a value, e.g. 10s}; shift 2 ;;
        --warmup) WARMUP=${2:?--warmup needs a value, e.g. 2s}; shift 2 ;;
        --servers) SERVERS=${2:?--servers needs a list, e.g. \"sockit netty\"}; shift 2 ;;
        --modes) MODES=${2:?--modes needs a list, e.g. echo}; shift 2 ;;
        --tries) TRIES=${2:?--tries needs a number}; shift 2 ;;
        --repeats) REPEATS=${2:?--repeats needs a number, e.g. 3}; shift 2 ;;
        --conns) CONNS=${2:?--conns needs a list, e.g. \"1 64\"}; shift 2 ;;
        --depths) DEPTHS=${2:?--depths needs a list, e.g. \"1 16\"}; shift 2 ;;
        --sizes) SIZES=${2:?--sizes needs a list, e.g. \"64 1024\"}; shift 2 ;;
        --before) BEFORE_DIR=${2:?--before needs a directory: a checkout of sockit}; shift 2 ;;
        --rate) RATE=${2:?--rate needs a number of requests per second, e.g. 30000}; shift 2 ;;
        --server-jvm) SERVER_EXTRA=${2?--server-jvm needs JVM options, e.g. -Xlog:gc:file=RAW/gc-NAME.log with RAW and NAME in braces}; shift 2 ;;
        --bench-jvm) BENCH_EXTRA=${2?--bench-jvm needs JVM options, e.g. -Xlog:gc:file=RAW/gc-NAME.log with RAW and NAME in braces}; shift 2 ;;
        --variant) VARIANTS+="${2:?--variant needs NAME=JVM-OPTIONS, e.g. rp4=-Djdk.readPollers=4}"$'\n'; shift 2 ;;
        --bulk-only) CASES=bulk; shift ;;
        --bulk-duration) BULK_DURATION=${2:?--bulk-duration needs a value, e.g. 3s}; shift 2 ;;
        --bulk-rounds) BULK_ROUNDS=${2:?--bulk-rounds needs a number}; shift 2 ;;
        --no-bulk) CASES=lines; shift ;;
        --no-build) NO_BUILD=1; shift ;;
        --redo) ACTION=redo; REUSE=${2:?--redo needs a directory under bench/results/tmp}; shift 2 ;;
        --report) ACTION=report; REUSE=${2:?--report needs a directory under bench/results/tmp}; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench/run.sh: unknown argument \"$1\"; see bench/run.sh --help" >&2; exit 2 ;;
    esac
done
WARMUP=$(open_loop_warmup "$WARMUP" 2s "$RATE")

for tool in taskset jq; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench/run.sh: $tool not found; install it (apt-get install ${tool/taskset/util-linux})" >&2; exit 1; }
done
(( $(nproc) >= 2 )) || { echo "bench/run.sh: needs 2 CPUs (server on 0, load on 1); this machine has $(nproc)" >&2; exit 1; }
if (( $(ulimit -n) < 1100 )); then
    ulimit -n 20000 2>/dev/null || { echo "bench/run.sh: the 1000-connection cells need ulimit -n of at least 1100, not $(ulimit -n)" >&2; exit 1; }
fi

if [[ $ACTION != matrix ]]; then
    raw="$BENCH_DIR/results/tmp/$(basename "$REUSE")"
    [[ -f "$raw/settings" ]] || { echo "bench/run.sh: $raw has no settings file; is it a directory bench/run.sh wrote?" >&2; exit 1; }
    # The runs being redone or reported must match the ones beside them.
    CASES=lines # what a directory written before the bulk case held
    source "$raw/settings"
fi
if [[ $CASES == *bulk* && $ACTION != report ]] && ! command -v iperf3 >/dev/null 2>&1; then
    echo "bench/run.sh: iperf3 is not installed, and the bulk case measures sockit against it." >&2
    echo "  install it (apt-get install iperf3; dnf install iperf3; brew install iperf3)," >&2
    echo "  or leave the bulk case out: bench/run.sh --no-bulk" >&2
    exit 1
fi

[[ $REPEATS =~ ^[1-9][0-9]*$ ]] || { echo "bench/run.sh: --repeats needs a whole number of 1 or more, not \"$REPEATS\"" >&2; exit 2; }
[[ -z $RATE || $RATE =~ ^[1-9][0-9]*$ ]] || { echo "bench/run.sh: --rate needs a whole number of requests per second, not \"$RATE\"" >&2; exit 2; }
[[ -z $RATE || $CASES == lines ]] || { echo "bench/run.sh: --rate applies to the line servers only; add --no-bulk" >&2; exit 2; }

# Every server raced: its kind for ServerMain, its classpath and its extra JVM options.
# Ports: 9101 + i for echo, 9111 + i for ack, 9121 + i for discard, i its place in KINDS.
servers_raced "/work/wt/before COMMIT" "rp4=-Djdk.readPollers=4" iperf3

find_java
if [[ -z "$NO_BUILD" && $ACTION != report ]]; then
    build
    if [[ -n $BEFORE_DIR ]]; then
        echo "bench: building core and bench in $BEFORE_DIR" >&2
        (cd "$BEFORE_DIR" && MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}" mvn -q -DskipTests -pl core,bench -am package) \
            || { echo "bench: the build in $BEFORE_DIR failed; run mvn -pl core,bench -am package there to see why" >&2; exit 1; }
    fi
fi
if [[ -n $BEFORE_DIR && $ACTION != report && ! -d "$BEFORE_DIR/bench/target/classes" ]]; then
    echo "bench/run.sh: $BEFORE_DIR is not built; run mvn -q -DskipTests -pl core,bench -am package there, or leave out --no-build" >&2
    exit 1
fi

# The matrix: "conns depth size" per cell.
if (( QUICK )); then
    echo_cells=("1 1 64" "64 16 64" "1000 1 64" "64 16 1024")
    ack_cells=("64 16 64")
else
    echo_cells=()
    for conns in $CONNS; do for depth in $DEPTHS; do for size in $SIZES; do
        echo_cells+=("$conns $depth $size")
    done; done; done
    ack_cells=("${echo_cells[@]}")
fi

if [[ $ACTION == matrix ]]; then
    stamp=$(date +%Y-%m-%d-%H%M)$( (( QUICK )) && echo "-quick" || true)$([[ $CASES == bulk ]] && echo "-bulk" || true)$([[ -n $RATE ]] && echo "-open" || true)
    raw="$BENCH_DIR/results/tmp/$stamp"
    mkdir -p "$raw"
    declare -p QUICK DURATION WARMUP SERVERS MODES TRIES CASES BULK_DURATION BULK_WARMUP BULK_ROUNDS \
        REPEATS CONNS DEPTHS SIZES BEFORE_DIR VARIANTS RATE SERVER_EXTRA BENCH_EXTRA | sed 's/^declare -- //' >"$raw/settings"
    echo "STARTED='$(date '+%Y-%m-%d %H:%M %Z')'" >>"$raw/settings"
    # The code measured is the code as it was when the matrix started.
    echo "GIT_REV='$(cd "$ROOT_DIR" && git rev-parse --short HEAD 2>/dev/null || echo unknown)$(cd "$ROOT_DIR" \
        && git status --porcelain -- core bench cli 2>/dev/null | grep -q . && echo " + uncommitted changes" || true)'" >>"$raw/settings"
    if [[ -n $BEFORE_DIR ]]; then
        echo "BEFORE_REV='$(cd "$BEFORE_DIR" && git log -1 --format='%h %s' 2>/dev/null | sed "s/'//g" || echo unknown)'" >>"$raw/settings"
    fi
    source "$raw/settings" # the report says when it started and which commit it measured
fi
results="$BENCH_DIR/results/$(basename "$raw").md"

declare -A PORT=([iperf3-discard]=9120)
i=0
for kind in $KINDS; do
    PORT[$kind-echo]=$((9101 + i)) PORT[$kind-ack]=$((9111 + i)) PORT[$kind-discard]=$((9121 + i))
    i=$((i + 1))
done
declare -A PID=()

cleanup() {
    local pid
    for pid in "${PID[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PID[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# --server-jvm's or --bench-jvm's options ($1) for one JVM named $2: {raw} and {name} expanded.
extra_jvm() {
    local options=${1//\{raw\}/$raw}
    echo "${options//\{name\}/$2}"
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start_server() {
    local kind=$1 mode=$2 port=${PORT[$1-$2]} log="$raw/server-$1-$2.log"
    if port_in_use "$port"; then
        echo "bench/run.sh: port $port is taken; stop what listens there (ss -ltnp 'sport = :$port')" >&2
        exit 1
    fi
    # shellcheck disable=SC2086 # a variant's options are a list of words
    taskset -c 0 "$JAVA" "${SERVER_JVM[@]}" ${OPTS[$kind]} $(extra_jvm "$SERVER_EXTRA" "$kind-$mode") -cp "${CP[$kind]}" dev.sockit.bench.ServerMain \
        "${IMPL[$kind]}" "tcp://127.0.0.1:$port" "$mode" >"$log" 2>&1 &
    PID[$kind-$mode]=$!
    for _ in $(seq 300); do
        grep -qs "listening on" "$log" && return 0
        kill -0 "${PID[$kind-$mode]}" 2>/dev/null || break
        sleep 0.1
    done
    echo "bench/run.sh: the $kind $mode server did not start; its log ($log) says:" >&2
    tail -5 "$log" >&2
    exit 1
}

stop_server() {
    local key=$1-$2
    kill "${PID[$key]}" 2>/dev/null || true
    wait "${PID[$key]}" 2>/dev/null || true
    unset "PID[$key]"
}

# Loads a freshly started server for a few seconds, unmeasured, so that its JIT has compiled
# the hot paths before the first cell: otherwise the first cells time the compiler too.
warm_server() {
    local kind=$1 mode=$2 load i=0 loads=("--conns 64 --depth 16 --size 64 --duration 3s" "--conns 1000 --depth 16 --size 1024 --duration 2s")
    [[ $mode != discard ]] || loads=("--duration 3s")
    for load in "${loads[@]}"; do
        # shellcheck disable=SC2086 # each load is a list of options
        i=$((i + 1))
        # shellcheck disable=SC2046 # --bench-jvm's options are a list of words
        timeout "$RUN_TIMEOUT" taskset -c 1 "$JAVA" "${BENCH_JVM[@]}" $(extra_jvm "$BENCH_EXTRA" "warm-$kind-$mode-$i") -cp "$CLI_CLASSPATH" dev.sockit.cli.BenchCommand \
            "tcp://127.0.0.1:${PORT[$kind-$mode]}" --mode "$mode" $load --warmup 0s --json >/dev/null 2>>"$raw/warm-$kind-$mode.err" \
            || echo "  warming the $kind $mode server: $(tail -1 "$raw/warm-$kind-$mode.err")" >&2
        # A server that died is no use for the rest of the matrix.
        kill -0 "${PID[$kind-$mode]}" 2>/dev/null \
            || { echo "bench/run.sh: the $kind $mode server died; see $raw/server-$kind-$mode.log" >&2; exit 1; }
    done
}

# The name of one run's files in $raw: MODE-CONNS-DEPTH-SIZE-KIND, and -rN for the Nth of several repeats.
run_name() {
    local mode=$1 conns=$2 depth=$3 size=$4 kind=$5 rep=${6:-1}
    echo "$mode-$conns-$depth-$size-$kind$( (( REPEATS > 1 )) && echo "-r$rep" || true)"
}

# Open loop: what share of --rate a run achieved, " (97% of the rate)", and " short" after it
# when that was under $SHORT; nothing in closed loop.
achieved() {
    [[ -n $RATE && -s $1 ]] || return 0
    jq -r --argjson rate "$RATE" --argjson short "$SHORT" \
        '" (\(.msgs_per_s / $rate * 100 | round)% of the rate)\(if .msgs_per_s < $rate * $short then " short" else "" end)"' "$1"
}
# True when the generator may have limited a run: in closed loop its loop was at least 90% busy;
# in open loop it released its requests late (sockit bench's generator_saturated, 1 ms on average).
limited() {
    [[ -s $1 ]] || return 1
    if [[ -n $RATE ]]; then
        [[ $(jq -r '.generator_saturated' "$1") == true ]]
    else
        awk -v b="$(jq -r '.generator_busiest_thread // "null"' "$1")" 'BEGIN { exit !(b != "null" && b >= 0.9) }'
    fi
}
# CPUs' worth of time taken from a run by others: other processes or the hypervisor (steal), whichever took more.
disturbance() {
    [[ -s $1 ]] && jq -r '[(.other_busy_cpus // 0), (.steal_cpus // 0)] | max' "$1" || echo null
}
# True when an open-loop run achieved less than $SHORT of --rate: the server could not keep up.
short() {
    [[ -n $RATE && -s $1 ]] && awk -v m="$(jq -r '.msgs_per_s' "$1")" -v r="$RATE" -v s="$SHORT" 'BEGIN { exit !(m < r * s) }'
}

# Runs one cell against one server; keeps the last try's JSON in $raw.
run_cell() {
    local kind=$1 mode=$2 conns=$3 depth=$4 size=$5 rep=$6
    local name try other
    name=$(run_name "$mode" "$conns" "$depth" "$size" "$kind" "$rep")
    for try in $(seq "$TRIES"); do
        wait_idle
        set +e
        # The run ends itself after warmup + duration; the timeout only guards against a hang.
        # shellcheck disable=SC2046 # --bench-jvm's options are a list of words
        timeout "$RUN_TIMEOUT" taskset -c 1 "$JAVA" "${BENCH_JVM[@]}" $(extra_jvm "$BENCH_EXTRA" "$name") -cp "$CLI_CLASSPATH" dev.sockit.cli.BenchCommand \
            "tcp://127.0.0.1:${PORT[$kind-$mode]}" --mode "$mode" --conns "$conns" --depth "$depth" --size "$size" \
            --duration "$DURATION" --warmup "$WARMUP" --server-pid "${PID[$kind-$mode]}" --busy-poll ${RATE:+--rate "$RATE"} --json \
            >"$raw/$name.json" 2>"$raw/$name.err"
        local status=$?
        set -e
        echo "$try" >"$raw/$name.tries"
        if [[ ! -s "$raw/$name.json" ]]; then
            echo "  $name: no result (exit $status): $(tail -1 "$raw/$name.err")" >&2
            continue
        fi
        other=$(disturbance "$raw/$name.json")
        printf '  %-28s %12s msgs/s%s  p99 %8s us  server %s us/msg  other CPUs %s%s\n' "$name" \
            "$(jq -r '.msgs_per_s | floor' "$raw/$name.json")" "$(achieved "$raw/$name.json")" "$(jq -r '.latency_us.p99 // "-"' "$raw/$name.json")" \
            "$(jq -r '.server_cpu_us_per_msg // "-"' "$raw/$name.json")" "$other" \
            "$( (( status != 0 )) && echo "  exit $status: $(tail -1 "$raw/$name.err")" || true)" >&2
        awk -v o="$other" -v n="$NOISY" 'BEGIN { exit !(o <= n) }' && return 0
        if (( try < TRIES )); then
            echo "  $name: other processes or the hypervisor took $other CPUs; running it again" >&2
        fi
    done
    return 0
}

# A duration as sockit writes it (500ms, 10s, 2m) in whole seconds, as iperf3 takes it,
# rounded up and at least $2.
whole_seconds() {
    awk -v s="$(seconds_of "$1")" -v min="$2" 'BEGIN {
        s = (s == int(s)) ? s : int(s) + 1
        print (s < min ? min : s)
    }'
}

# CPU ticks (1/100 s) the whole machine has spent busy, user, nice and system, as sockit bench counts them.
machine_busy_ticks() {
    local cpu
    read -r -a cpu < /proc/stat
    echo $(( cpu[1] + cpu[2] + cpu[3] ))
}

# Prints one bulk run's line and returns 0 when it was undisturbed.
bulk_line() {
    local name=$1 status=$2 f="$raw/$1.json" other
    other=$(jq -r '.other_busy_cpus // 0' "$f")
    printf '  %-28s %8s Gbit/s  server %s CPUs  other CPUs %s%s\n' "$name" "$(jq -r '.gbit_per_s * 100 | round / 100' "$f")" \
        "$(jq -r 'if .server_cpus then .server_cpus * 100 | round / 100 else "-" end' "$f")" "$(jq -r '.other_busy_cpus * 100 | round / 100' "$f")" \
        "$( (( status != 0 )) && echo "  exit $status: $(tail -1 "$raw/$name.err")" || true)" >&2
    awk -v o="$other" -v n="$NOISY" 'BEGIN { exit !(o <= n) }'
}

# The ceiling: iperf3, one stream of 128 KiB writes, its server on CPU 0 and client on CPU 1,
# the warmup left out with -O. Keeps its JSON (.iperf3) and the figures the report reads (.json).
run_iperf3() {
    local name=bulk-iperf3-$1 port=${PORT[iperf3-discard]} seconds omit try status busy started elapsed
    seconds=$(whole_seconds "$BULK_DURATION" 1)
    omit=$(whole_seconds "$BULK_WARMUP" 0)
    for try in $(seq "$TRIES"); do
        wait_idle
        if port_in_use "$port"; then
            echo "bench/run.sh: port $port is taken; stop what listens there (ss -ltnp 'sport = :$port')" >&2
            exit 1
        fi
        # -1: the server serves one test, then exits by itself.
        taskset -c 0 iperf3 -s -1 -B 127.0.0.1 -p "$port" >"$raw/server-iperf3.log" 2>&1 &
        PID[iperf3-discard]=$!
        # Not probed with a connection: iperf3 -s -1 would take the probe for its one test.
        for _ in $(seq 50); do
            grep -qs "listening" "$raw/server-iperf3.log" && break
            sleep 0.1
        done
        busy=$(machine_busy_ticks)
        started=$(date +%s%N)
        set +e
        # -N: Nagle off, as sockit bench has it on every connection; iperf3 is the faster for it.
        timeout "$RUN_TIMEOUT" taskset -c 1 iperf3 -c 127.0.0.1 -p "$port" -N -t "$seconds" -O "$omit" -J \
            >"$raw/$name.iperf3" 2>"$raw/$name.err"
        status=$?
        set -e
        elapsed=$(( $(date +%s%N) - started ))
        busy=$(( $(machine_busy_ticks) - busy ))
        stop_server iperf3 discard
        echo "$try" >"$raw/$name.tries"
        if ! jq -e '.end.sum_received.bits_per_second' "$raw/$name.iperf3" >/dev/null 2>&1; then
            echo "  $name: no result (exit $status): $(jq -r '.error // empty' "$raw/$name.iperf3" 2>/dev/null)$(tail -1 "$raw/$name.err")" >&2
            rm -f "$raw/$name.json"
            continue
        fi
        # iperf3 reports each end's CPU as a percentage of one CPU; the rest of the machine's busy time is noise.
        jq -c --argjson busy "$busy" --argjson elapsed "$elapsed" '.end as $e | {
            server: "iperf3", version: .start.version, seconds: $e.sum_received.seconds, bytes: $e.sum_received.bytes,
            gbit_per_s: ($e.sum_received.bits_per_second / 1e9), mb_per_s: ($e.sum_received.bits_per_second / 8e6),
            sender_gbit_per_s: ($e.sum_sent.bits_per_second / 1e9), retransmits: $e.sum_sent.retransmits,
            generator_cpus: ($e.cpu_utilization_percent.host_total / 100),
            server_cpus: ($e.cpu_utilization_percent.remote_total / 100),
            server_cpu_ms_per_gb: ($e.cpu_utilization_percent.remote_total / 100 * $e.sum_received.seconds * 1000
                / ($e.sum_received.bytes / 1e9)),
            other_busy_cpus: ([($busy / 100) / ($elapsed / 1e9) - ($e.cpu_utilization_percent.host_total
                + $e.cpu_utilization_percent.remote_total) / 100, 0] | max) }' "$raw/$name.iperf3" >"$raw/$name.json"
        bulk_line "$name" "$status" && return 0
        (( try < TRIES )) && echo "  $name: other processes were busy; running it again" >&2
    done
    return 0
}

# One server's discard mode under sockit bench --mode discard: one connection, 128 KiB writes.
run_bulk() {
    local kind=$1 name="bulk-$1-$2" try status
    for try in $(seq "$TRIES"); do
        wait_idle
        set +e
        # shellcheck disable=SC2046 # --bench-jvm's options are a list of words
        timeout "$RUN_TIMEOUT" taskset -c 1 "$JAVA" "${BENCH_JVM[@]}" $(extra_jvm "$BENCH_EXTRA" "$name") -cp "$CLI_CLASSPATH" dev.sockit.cli.BenchCommand \
            "tcp://127.0.0.1:${PORT[$kind-discard]}" --mode discard --duration "$BULK_DURATION" --warmup "$BULK_WARMUP" \
            --server-pid "${PID[$kind-discard]}" --json >"$raw/$name.json" 2>"$raw/$name.err"
        status=$?
        set -e
        echo "$try" >"$raw/$name.tries"
        if [[ ! -s "$raw/$name.json" ]]; then
            echo "  $name: no result (exit $status): $(tail -1 "$raw/$name.err")" >&2
            continue
        fi
        bulk_line "$name" "$status" && return 0
        (( try < TRIES )) && echo "  $name: other processes were busy; running it again" >&2
    done
    return 0
}

# True when the run's result is missing or was taken beside a busy neighbour.
needs_run() {
    local f="$raw/$1.json"
    [[ $ACTION == matrix || ! -s $f ]] && return 0
    awk -v o="$(disturbance "$f")" -v n="$NOISY" 'BEGIN { exit !(o > n) }'
}

echo "bench/run.sh: results to $results, raw output to $raw" >&2
redone=0
if [[ $ACTION != report && $CASES == *lines* ]]; then
    for mode in $MODES; do
        if [[ $mode == echo ]]; then cells=("${echo_cells[@]}"); else cells=("${ack_cells[@]}"); fi
        # Start only the servers that have runs to do in this mode.
        kinds=""
        for kind in $KINDS; do
            for cell in "${cells[@]}"; do
                read -r conns depth size <<<"$cell"
                for rep in $(seq "$REPEATS"); do
                    if needs_run "$(run_name "$mode" "$conns" "$depth" "$size" "$kind" "$rep")"; then kinds+=" $kind"; break 2; fi
                done
            done
        done
        [[ -n $kinds ]] || continue
        for kind in $kinds; do start_server "$kind" "$mode"; done
        for kind in $kinds; do warm_server "$kind" "$mode"; done
        read -r -a order <<<"$kinds"
        for cell in "${cells[@]}"; do
            read -r conns depth size <<<"$cell"
            for rep in $(seq "$REPEATS"); do
                # Taking turns: each round starts with the next server, so none is always first after a pause.
                for i in "${!order[@]}"; do
                    kind=${order[$(( (i + rep - 1) % ${#order[@]} ))]}
                    if needs_run "$(run_name "$mode" "$conns" "$depth" "$size" "$kind" "$rep")"; then
                        run_cell "$kind" "$mode" "$conns" "$depth" "$size" "$rep"
                        redone=$((redone + 1))
                    fi
                done
            done
        done
        for kind in $kinds; do stop_server "$kind" "$mode"; done
    done
fi
if [[ $ACTION != report && $CASES == *bulk* ]]; then
    # Every server that has runs to do listens through all the rounds (an idle one takes no CPU).
    kinds=""
    for kind in $KINDS; do
        for round in $(seq "$BULK_ROUNDS"); do
            if needs_run "bulk-$kind-$round"; then kinds+=" $kind"; break; fi
        done
    done
    for kind in $kinds; do start_server "$kind" discard; done
    for kind in $kinds; do warm_server "$kind" discard; done
    for round in $(seq "$BULK_ROUNDS"); do
        if needs_run "bulk-iperf3-$round"; then
            run_iperf3 "$round"
            redone=$((redone + 1))
        fi
        for kind in $kinds; do
            needs_run "bulk-$kind-$round" || continue
            run_bulk "$kind" "$round"
            redone=$((redone + 1))
        done
    done
    for kind in $kinds; do stop_server "$kind" discard; done
fi
if [[ $ACTION == redo ]]; then
    echo "REDONE='$(date '+%Y-%m-%d %H:%M %Z'): $redone runs'" >>"$raw/settings"
    source "$raw/settings"
fi

# ---- the report ----

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "null" || b == "null" || b == 0) print "–"; else printf "%.2f×", a / b }'; }
field() { [[ -s "$1" ]] && jq -r "$2 // \"null\"" "$1" || echo null; }
# " ✗" when either run was disturbed, " ⚠" when the generator may have limited either.
doubt() {
    local f noisy="" lim=""
    for f in "$@"; do
        awk -v o="$(disturbance "$f")" -v n="$NOISY" 'BEGIN { exit !(o != "null" && o > n) }' && noisy=" ✗"
        limited "$f" && lim=" ⚠"
    done
    echo "$noisy$lim"
}

netty_version=$(ls "$BENCH_DIR"/target/lib/netty-transport-native-epoll-*.jar 2>/dev/null | head -1 | sed 's/.*epoll-\(.*\)-linux.*/\1/')
cpu_model=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
memory=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
virt=$(systemd-detect-virt 2>/dev/null || echo unknown)

# The JSON files of one cell's runs against one server, one per repeat that has a result.
cell_files() {
    local rep f
    for rep in $(seq "$REPEATS"); do
        f="$raw/$(run_name "$@" "$rep").json"
        [[ -s $f ]] && echo "$f"
    done
    return 0
}
# Whether runs A (before "--") are faster or slower than runs B in msgs/s beyond their spread:
# "faster" or "slower" when every run of one beat every run of the other, else "within noise".
verdict() {
    local a=() b=()
    while [[ $1 != -- ]]; do a+=("$1"); shift; done
    shift
    b=("$@")
    (( ${#a[@]} > 0 && ${#b[@]} > 0 )) || { echo "–"; return; }
    awk -v alo="$(jq -s 'map(.msgs_per_s) | min' "${a[@]}")" -v ahi="$(jq -s 'map(.msgs_per_s) | max' "${a[@]}")" \
        -v blo="$(jq -s 'map(.msgs_per_s) | min' "${b[@]}")" -v bhi="$(jq -s 'map(.msgs_per_s) | max' "${b[@]}")" \
        'BEGIN { if (alo > bhi) print "faster"; else if (ahi < blo) print "slower"; else print "within noise" }'
}
# Whether runs A (before "--") had a lower or higher p99 than runs B beyond their spread:
# "lower" or "higher" when every run of one was below every run of the other, else "within noise".
tail_verdict() {
    local a=() b=()
    while [[ $1 != -- ]]; do a+=("$1"); shift; done
    shift
    b=("$@")
    (( ${#a[@]} > 0 && ${#b[@]} > 0 )) || { echo "–"; return; }
    awk -v alo="$(jq -s 'map(.latency_us.p99) | min' "${a[@]}")" -v ahi="$(jq -s 'map(.latency_us.p99) | max' "${a[@]}")" \
        -v blo="$(jq -s 'map(.latency_us.p99) | min' "${b[@]}")" -v bhi="$(jq -s 'map(.latency_us.p99) | max' "${b[@]}")" \
        'BEGIN { if (ahi < blo) print "lower"; else if (alo > bhi) print "higher"; else print "within noise" }'
}
# How many of a server's runs fell short of --rate: "" when none, else " (3 of 5 short)".
shortfall() {
    local f n=0
    for f in "$@"; do short "$f" && n=$((n + 1)); done
    (( n == 0 )) || echo " ($n of $# short)"
}
# Open loop: one row of a ratio table, the rate achieved and the latency's every percentile against the reference's.
open_ratio_row() {
    local kind=$1 ref=$2 mode=$3 conns=$4 depth=$5 size=$6 k=() r=() mark q
    mapfile -t k < <(cell_files "$mode" "$conns" "$depth" "$size" "$kind")
    mapfile -t r < <(cell_files "$mode" "$conns" "$depth" "$size" "$ref")
    if (( ${#k[@]} == 0 || ${#r[@]} == 0 )); then
        echo "| $mode | $conns × $depth × $size | $kind | – | – | – | – | – | – | – | – | – |"
        return
    fi
    mark=$(doubt "${k[@]}" "${r[@]}")
    echo -n "| $mode | $conns × $depth × $size | $kind | $(ratio "$(median .msgs_per_s "${k[@]}")" "$RATE")$(shortfall "${k[@]}") | $(ratio "$(median .msgs_per_s "${r[@]}")" "$RATE")$(shortfall "${r[@]}") |"
    for q in p50 p99; do echo -n " $(ratio "$(median ".latency_us.$q" "${k[@]}")" "$(median ".latency_us.$q" "${r[@]}")")$mark |"; done
    echo -n " $(tail_verdict "${k[@]}" -- "${r[@]}") |"
    for q in p99_9 max; do echo -n " $(ratio "$(median ".latency_us.$q" "${k[@]}")" "$(median ".latency_us.$q" "${r[@]}")")$mark |"; done
    echo " $(ratio "$(median .server_cpu_us_per_msg "${k[@]}")" "$(median .server_cpu_us_per_msg "${r[@]}")")$mark | $(fixed "$(median .server_cpu_us_per_msg "${k[@]}")" 2) / $(fixed "$(median .server_cpu_us_per_msg "${r[@]}")" 2) |"
}
# One row of a ratio table: server $1's runs against reference $2's in one cell (mode conns depth size after them).
ratio_row() {
    [[ -z $RATE ]] || { open_ratio_row "$@"; return; }
    local kind=$1 ref=$2 mode=$3 conns=$4 depth=$5 size=$6 k=() r=() mark
    mapfile -t k < <(cell_files "$mode" "$conns" "$depth" "$size" "$kind")
    mapfile -t r < <(cell_files "$mode" "$conns" "$depth" "$size" "$ref")
    if (( ${#k[@]} == 0 || ${#r[@]} == 0 )); then
        echo "| $mode | $conns × $depth × $size | $kind | – | – | – | – | – |"
        return
    fi
    mark=$(doubt "${k[@]}" "${r[@]}")
    echo "| $mode | $conns × $depth × $size | $kind | $(ratio "$(median .msgs_per_s "${k[@]}")" "$(median .msgs_per_s "${r[@]}")")$mark | $(verdict "${k[@]}" -- "${r[@]}") | $(ratio "$(median .latency_us.p99 "${k[@]}")" "$(median .latency_us.p99 "${r[@]}")")$mark | $(ratio "$(median .server_cpu_us_per_msg "${k[@]}")" "$(median .server_cpu_us_per_msg "${r[@]}")")$mark | $(fixed "$(median .server_cpu_us_per_msg "${k[@]}")" 2) / $(fixed "$(median .server_cpu_us_per_msg "${r[@]}")" 2) |"
}
# A table of every server in $2 against reference $1, over every cell.
ratio_table() {
    local ref=$1 kinds=$2 mode cell conns depth size kind
    if [[ -n $RATE ]]; then
        echo "| mode | conns × depth × size | server | achieved ÷ rate | $ref's achieved ÷ rate | p50 ÷ $ref | p99 ÷ $ref | p99 beyond the spread | p99.9 ÷ $ref | max ÷ $ref | server CPU/msg ÷ $ref | server CPU µs/msg, this / $ref |"
        echo "|---|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|"
    else
        echo "| mode | conns × depth × size | server | msgs/s ÷ $ref | msgs/s beyond the spread | p99 ÷ $ref | server CPU/msg ÷ $ref | server CPU µs/msg, this / $ref |"
        echo "|---|---|---|---:|---|---:|---:|---:|"
    fi
    for mode in $MODES; do
        if [[ $mode == echo ]]; then cells=("${echo_cells[@]}"); else cells=("${ack_cells[@]}"); fi
        for cell in "${cells[@]}"; do
            read -r conns depth size <<<"$cell"
            for kind in $kinds; do ratio_row "$kind" "$ref" "$mode" "$conns" "$depth" "$size"; done
        done
    done
}

# The line servers' tables and the ratios between them.
lines_report() {
    local runs=() others
    echo
    if (( REPEATS > 1 )); then
        echo "Every cell ran $REPEATS times per server, the servers taking turns; each figure is the median of the $REPEATS runs"
        echo "(of what a column shows, separately), and spread = (max - min) ÷ median over them."
    fi
    if [[ -n $RATE ]]; then
        echo "Open loop at $(commas "$RATE") requests per second in total, spread evenly over the connections; latency runs from when"
        echo "each request was due to its reply, so a server that falls behind shows its backlog in the tail and no clock waits for it."
        echo "msgs/s is the rate achieved (replies per second); \"short\" marks the runs that fell more than $(awk -v s="$SHORT" 'BEGIN { printf "%.0f", (1 - s) * 100 }')% below the rate:"
        echo "that server could not keep up. ⚠ here: the generator released its requests more than 1 ms late on average."
    fi
    echo "Columns: msgs/s = replies per second; MB/s = reply bytes (10^6) per second; latency from request to reply;"
    echo "server CPU = CPU time (user + system) of the server process per reply;"
    echo "generator CPU = time the generator's loop spent handling messages per reply (it busy-polls; the polling is left out);"
    echo "generator busy = the share of the run its loop spent handling messages (≥ 90% means the generator may be the limit, marked ⚠);"
    echo "other = CPUs' worth of time taken by other processes on the machine during the run (noise; ✗ when it, or the hypervisor's steal, was above $NOISY after $TRIES tries);"
    echo "steal = CPUs' worth of time the hypervisor gave to other machines during the run (the same mark, the same retries)."
    [[ -z $RATE ]] || echo "generator lag = the longest a due request waited for the generator to release it (its own pause), the median run's."
    for kind in $KINDS; do
        [[ -z ${OPTS[$kind]} ]] || echo "Server $kind: this build's sockit server with \`${OPTS[$kind]}\`."
    done
    [[ -z $BEFORE_DIR ]] || echo "Server before: the sockit server of $BEFORE_DIR (commit ${BEFORE_REV:-unknown}), loaded by this build's generator."
    for mode in $MODES; do
        if [[ $mode == echo ]]; then cells=("${echo_cells[@]}"); else cells=("${ack_cells[@]}"); fi
        echo
        echo "## $mode"
        echo
        echo "| conns × depth × size | server | msgs/s | spread | MB/s | p50 | p90 | p99 | spread | p99.9 | max | errors | server CPU µs/msg | generator CPU µs/msg | generator busy | generator lag | other CPUs | steal CPUs |"
        echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        for cell in "${cells[@]}"; do
            read -r conns depth size <<<"$cell"
            for kind in $KINDS; do
                mapfile -t runs < <(cell_files "$mode" "$conns" "$depth" "$size" "$kind")
                if (( ${#runs[@]} == 0 )); then
                    echo "| $conns × $depth × $size | $kind | failed: $(tail -1 "$raw/$(run_name "$mode" "$conns" "$depth" "$size" "$kind").err" 2>/dev/null | sed 's/|/\\|/g') | | | | | | | | | | | | | | | |"
                    continue
                fi
                busy=$(median .generator_busiest_thread "${runs[@]}")
                other=$(median .other_busy_cpus "${runs[@]}")
                warn=$(for f in "${runs[@]}"; do if limited "$f"; then echo " ⚠"; fi; done | sort -u)
                noisy=$(for f in "${runs[@]}"; do awk -v o="$(disturbance "$f")" -v n="$NOISY" 'BEGIN { if (o != "null" && o > n) print " ✗" }'; done | sort -u)
                echo "| $conns × $depth × $size | $kind | $(commas "$(median .msgs_per_s "${runs[@]}")")$(shortfall "${runs[@]}") | $(spread .msgs_per_s "${runs[@]}") | $(fixed "$(median .mb_per_s_received "${runs[@]}")" 1) | $(latency "$(median .latency_us.p50 "${runs[@]}")") | $(latency "$(median .latency_us.p90 "${runs[@]}")") | $(latency "$(median .latency_us.p99 "${runs[@]}")") | $(spread .latency_us.p99 "${runs[@]}") | $(latency "$(median .latency_us.p99_9 "${runs[@]}")") | $(latency "$(median .latency_us.max "${runs[@]}")") | $(jq -s 'map(.errors // 0) | add' "${runs[@]}") | $(fixed "$(median .server_cpu_us_per_msg "${runs[@]}")" 2) | $(fixed "$(median .generator_cpu_us_per_msg "${runs[@]}")" 2) | $(awk -v b="$busy" 'BEGIN { if (b == "null") print "–"; else printf "%.0f%%", b * 100 }')$warn | $(latency "$(median .generator_lag_max_us "${runs[@]}")") | $(fixed "$other" 2)$noisy | $(fixed "$(median .steal_cpus "${runs[@]}")" 2) |"
            done
        done
    done
    others=$(for kind in $KINDS; do [[ $kind == netty ]] || echo "$kind"; done | paste -sd' ')
    if [[ " $KINDS " == *" netty "* && -n $others ]]; then
        echo
        echo "## against Netty"
        echo
        if [[ -n $RATE ]]; then
            echo "Medians$( (( REPEATS > 1 )) && echo " of $REPEATS runs" || true) against Netty's in the same cell, open loop at $(commas "$RATE") msgs/s: the achieved rates against it, then latency and CPU per message; below 1.00× favours the server."
            echo "Beyond the spread: \"lower\" or \"higher\" p99 only when every run of the one was below every run of the other."
        else
            echo "Medians$( (( REPEATS > 1 )) && echo " of $REPEATS runs" || true) against Netty's in the same cell. Ratios above 1.00× favour the server for msgs/s; below 1.00× for p99 and CPU per message."
            echo "Beyond the spread: \"faster\" or \"slower\" only when every run of the one beat every run of the other."
        fi
        if [[ -n $RATE ]]; then
            echo "✗: a run of the two was disturbed by other processes or the hypervisor, so the ratio means little; ⚠: the load generator"
            echo "released its requests more than 1 ms late on average in one of them; (n of m short): n of that server's runs fell short of the rate."
        else
            echo "✗: a run of the two was disturbed by other processes or the hypervisor, so the ratio means little; ⚠: the load generator"
            echo "was at least 90% busy in one of them, so that server may be faster than measured."
        fi
        echo
        ratio_table netty "$others"
    fi
    others=$(for kind in $KINDS; do [[ $kind == netty || $kind == jdk || $kind == before ]] || echo "$kind"; done | paste -sd' ')
    if [[ -n $BEFORE_DIR && -n $others ]]; then
        echo
        echo "## this build against the before build"
        echo
        echo "Before: $BEFORE_DIR, commit ${BEFORE_REV:-unknown}; this build: commit ${GIT_REV:-unknown}. Medians$( (( REPEATS > 1 )) && echo " of $REPEATS runs" || true); above 1.00× this build is faster (msgs/s), below 1.00× it has the lower p99 and CPU per message."
        echo
        ratio_table before "$others"
    fi
}

# The bulk run of a server whose Gbit/s is the median of its rounds (the lower middle one of an even count).
median_run() {
    local kind=$1 round f
    for round in $(seq "$BULK_ROUNDS"); do
        f="$raw/bulk-$kind-$round.json"
        [[ -s $f ]] && echo "$(jq -r '.gbit_per_s' "$f") $f"
    done | sort -g | awk '{ f[NR] = $2 } END { if (NR) print f[int((NR + 1) / 2)] }'
}

# The bulk case: each server's Gbit/s beside iperf3's.
bulk_report() {
    local i f kind round busy other gbit rounds
    i=$(median_run iperf3)
    echo
    echo "## bulk: throughput against iperf3"
    echo
    echo "One connection of 128 KiB writes, the server pinned \`taskset -c 0\`, the sender \`taskset -c 1\`; each run $BULK_DURATION measured after $BULK_WARMUP of warmup."
    echo "The four take turns, $BULK_ROUNDS rounds: loopback throughput swings with whatever else the machine runs. Gbit/s is the median round; the other columns are from that round."
    echo "iperf3 $(field "$i" .version | sed 's/^iperf //'): \`iperf3 -s -1\` and \`iperf3 -c 127.0.0.1 -N -t $(whole_seconds "$BULK_DURATION" 1) -O $(whole_seconds "$BULK_WARMUP" 0) -J\` (bytes its server received, the warmup omitted; Nagle off, as sockit bench has it);"
    echo "the others: their discard mode (\`ServerMain KIND ENDPOINT discard\`, each JVM \`${SERVER_JVM[*]}${SERVER_EXTRA:+ $SERVER_EXTRA}\`; sockit, commit ${GIT_REV:-unknown}: \`Raw\` framing and \`Handlers.discard()\`, as \`sockit server --mode discard --framing raw\`; Netty ${netty_version:-?}: epoll, its DiscardServer handler; JDK: a platform thread reading an \`InputStream\` into 64 KiB),"
    echo "loaded by \`sockit bench --mode discard --duration $BULK_DURATION --warmup $BULK_WARMUP --server-pid PID --json\` (bytes the server's socket took), each server first loaded 3 s unmeasured."
    echo "CPUs = CPU time (user + system) per second of the run. On loopback the sender's CPU also carries much of the kernel's"
    echo "work of delivering the bytes, so a sender near 100% (⚠) is the loopback path's limit for iperf3 as much as for sockit bench."
    echo "sockit's target: 0.80× iperf3's Gbit/s or more."
    echo
    echo "| server | Gbit/s | each round | MB/s | ÷ iperf3 | server CPUs | server CPU ms/GB | sender CPUs | sender busiest thread | other CPUs |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for kind in iperf3 $KINDS; do
        f=$(median_run "$kind")
        rounds=$(for round in $(seq "$BULK_ROUNDS"); do fixed "$(field "$raw/bulk-$kind-$round.json" .gbit_per_s)" 1; echo; done | paste -sd' ')
        if [[ -z $f ]]; then
            echo "| $kind | failed: $(tail -1 "$raw/bulk-$kind-1.err" 2>/dev/null | sed 's/|/\\|/g') | | | | | | | | |"
            continue
        fi
        busy=$(field "$f" .generator_busiest_thread)
        other=$(field "$f" .other_busy_cpus)
        gbit=$(field "$f" .gbit_per_s)
        echo "| $kind | $(fixed "$gbit" 2) | $rounds | $(commas "$(field "$f" .mb_per_s)") | $([[ $kind == iperf3 ]] && echo 1.00× || echo "$(ratio "$gbit" "$(field "$i" .gbit_per_s)")$(doubt "$f" "$i")") | $(fixed "$(field "$f" .server_cpus)" 2) | $(fixed "$(field "$f" .server_cpu_ms_per_gb)" 0) | $(fixed "$(field "$f" .generator_cpus)" 2) | $(awk -v b="$busy" 'BEGIN { if (b == "null") print "–"; else printf "%.0f%%", b * 100 }')$(awk -v b="$busy" 'BEGIN { if (b != "null" && b >= 0.9) print " ⚠" }') | $(fixed "$other" 2)$(awk -v o="$other" -v n="$NOISY" 'BEGIN { if (o != "null" && o > n) print " ✗" }') |"
    done
}

flags="$( (( QUICK )) && echo ' --quick' || true)$([[ $CASES == bulk ]] && echo ' --bulk-only' || true)$([[ $CASES == lines ]] && echo ' --no-bulk' || true)"
[[ $SERVERS == "sockit netty jdk" ]] || flags+=" --servers \"$SERVERS\""
[[ $MODES == "echo ack" ]] || flags+=" --modes \"$MODES\""
(( QUICK )) || [[ $DURATION == 10s ]] || flags+=" --duration $DURATION"
(( QUICK )) || [[ $WARMUP == 2s ]] || flags+=" --warmup $WARMUP"
(( REPEATS == 1 )) || flags+=" --repeats $REPEATS"
(( QUICK )) || [[ $CONNS == "1 64 1000" ]] || flags+=" --conns \"$CONNS\""
(( QUICK )) || [[ $DEPTHS == "1 16" ]] || flags+=" --depths \"$DEPTHS\""
(( QUICK )) || [[ $SIZES == "64 1024" ]] || flags+=" --sizes \"$SIZES\""
[[ -z $BEFORE_DIR ]] || flags+=" --before $BEFORE_DIR"
[[ -z $RATE ]] || flags+=" --rate $RATE"
while IFS= read -r variant; do [[ -z $variant ]] || flags+=" --variant '$variant'"; done <<<"$VARIANTS"
[[ -z $SERVER_EXTRA ]] || flags+=" --server-jvm '$SERVER_EXTRA'"
[[ -z $BENCH_EXTRA ]] || flags+=" --bench-jvm '$BENCH_EXTRA'"
{
    if [[ $CASES == bulk ]]; then
        echo "# sockit vs iperf3, Netty and plain JDK: bulk transfer, ${STARTED:-$(date '+%Y-%m-%d %H:%M %Z')}$( (( QUICK )) && echo ' (quick)' || true)"
    else
        echo "# sockit vs Netty vs plain JDK: line servers$([[ $CASES == *bulk* ]] && echo ' and bulk transfer' || true), ${STARTED:-$(date '+%Y-%m-%d %H:%M %Z')}$( (( QUICK )) && echo ' (quick)' || true)"
    fi
    echo
    echo "- machine: $(nproc) × $cpu_model, $memory, Linux $(uname -r), virtualisation: $virt"
    echo "- JDK: $("$JAVA" -version 2>&1 | head -2 | tail -1)"
    [[ $CASES != *lines* ]] || echo "- servers: sockit core \`Server\` with \`Handlers.echo()\`/\`ack\` (commit ${GIT_REV:-unknown}), Netty ${netty_version:-?} epoll, plain JDK (platform thread per connection); each JVM \`${SERVER_JVM[*]}${SERVER_EXTRA:+ $SERVER_EXTRA}\`, pinned \`taskset -c 0\`"
    [[ $CASES != *lines* ]] || echo "- load: \`sockit bench --threads 1 --busy-poll --duration $DURATION --warmup $WARMUP --json --server-pid PID\`, a fresh JVM \`${BENCH_JVM[*]}${BENCH_EXTRA:+ $BENCH_EXTRA}\` per run, pinned \`taskset -c 1\`; $([[ -n $RATE ]] && echo "open loop (\`--rate $RATE\`: $(commas "$RATE") requests per second in total, each timed from when it was due)" || echo "closed loop"), every reply verified; each server was first loaded for 5 s unmeasured so its JIT had compiled the hot path$( (( REPEATS > 1 )) && echo "; every cell $REPEATS times per server, the servers taking turns" || true)"
    echo "- a run starts when the machine is under ${IDLE_PERCENT}% busy and is repeated (up to $TRIES tries) when other processes took more than $NOISY CPUs during it"
    [[ -z ${REDONE:-} ]] || echo "- disturbed runs measured again (\`bench/run.sh --redo $(basename "$raw")\`): $REDONE"
    echo "- reproduce: \`bench/run.sh$flags\`; raw JSON below"
    [[ -z $BEFORE_DIR ]] || echo "- before: the sockit server of \`$BEFORE_DIR\` (commit ${BEFORE_REV:-unknown}), its bench module built there"
    if [[ $CASES == *lines* ]]; then lines_report; fi
    if [[ $CASES == *bulk* ]]; then bulk_report; fi
    echo
    echo "<details><summary>raw results (one sockit bench --json object per run, last try; iperf3's figures as the report reads them, its own JSON beside them in .iperf3)</summary>"
    echo
    echo '```'
    for f in "$raw"/*.json; do [[ -s $f ]] && echo "$(basename "$f" .json) tries=$(cat "${f%.json}.tries") $(cat "$f")"; done
    echo '```'
    echo
    echo "</details>"
} >"$results"

echo "bench/run.sh: wrote $results" >&2
