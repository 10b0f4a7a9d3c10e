# Shared by the bench scripts: find JDK 25 and build what the benchmarks run.
# Sourced, not run.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_DIR=$(dirname "$BENCH_DIR")

# The Java specification version of a java binary: 17, 25, ...
java_feature() {
    "$1" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2; exit}'
}

# Sets JAVA (and JAVA_HOME) to a JDK 25 or newer: JAVA_HOME first, then java on PATH, then
# /usr/lib/jvm/*, the way bin/sockit finds one.
find_java() {
    local candidates=() candidate feature
    [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME/bin/java")
    command -v java >/dev/null 2>&1 && candidates+=("$(readlink -f "$(command -v java)")")
    for candidate in /usr/lib/jvm/*/bin/java; do candidates+=("$candidate"); done
    for candidate in "${candidates[@]}"; do
        [[ -x "$candidate" ]] || continue
        feature=$(java_feature "$candidate")
        if [[ "${feature%%.*}" =~ ^[0-9]+$ ]] && (( ${feature%%.*} >= 25 )); then
            JAVA=$candidate
            JAVA_HOME=$(dirname "$(dirname "$candidate")")
            export JAVA_HOME
            return 0
        fi
    done
    echo "bench: no JDK 25 or newer found (looked at JAVA_HOME, java on PATH, /usr/lib/jvm/*); install one or point JAVA_HOME at it" >&2
    exit 1
}

# Builds core, cli and bench with their runtime dependencies beside them, tests skipped
# (mvn verify runs those).
build() {
    command -v mvn >/dev/null 2>&1 || { echo "bench: mvn not found on PATH; install Maven 3.8 or newer" >&2; exit 1; }
    echo "bench: building core, cli and bench with $JAVA_HOME" >&2
    (cd "$ROOT_DIR" && MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}" \
        mvn -q -DskipTests -pl core,cli,cluster-redis,bench -am package) \
        || { echo "bench: the build failed; run mvn -pl core,cli,bench -am package to see why" >&2; exit 1; }
}

# This run's files, by the script's NAME: the raw records' folder $raw (results/tmp/STAMP-NAME,
# made here) and the report $results (results/STAMP-NAME.md); $stamp is the run's minute.
result_files() {
    stamp=$(date +%Y-%m-%d-%H%M)
    raw="$BENCH_DIR/results/tmp/$stamp-$1"
    results="$BENCH_DIR/results/$stamp-$1.md"
    mkdir -p "$raw"
}

# The commit the build under test is from, for a report: "abc1234", with " + uncommitted
# changes" when core or bench differ from it.
git_rev() {
    echo "$(cd "$ROOT_DIR" && git rev-parse --short HEAD 2>/dev/null || echo unknown)$(cd "$ROOT_DIR" \
        && git status --porcelain -- core bench 2>/dev/null | grep -q . && echo " + uncommitted changes" || true)"
}

BENCH_CLASSPATH="$BENCH_DIR/target/classes:$BENCH_DIR/target/lib/*"
CLI_CLASSPATH="$ROOT_DIR/cli/target/classes:$ROOT_DIR/cli/target/lib/*"

# A run may start when the machine is under this busy %, or after waiting this long (saying so).
IDLE_PERCENT=${IDLE_PERCENT:-10}
IDLE_WAIT_SECONDS=${IDLE_WAIT_SECONDS:-120}

# The machine's busy percentage over half a second, all CPUs.
busy_percent() {
    local a b
    read -r -a a < <(head -1 /proc/stat)
    sleep 0.5
    read -r -a b < <(head -1 /proc/stat)
    local busy=$(( (b[1]+b[2]+b[3]+b[6]+b[7]+b[8]) - (a[1]+a[2]+a[3]+a[6]+a[7]+a[8]) ))
    local idle=$(( (b[4]+b[5]) - (a[4]+a[5]) ))
    echo $(( 100 * busy / (busy + idle > 0 ? busy + idle : 1) ))
}

# Waits until the machine is idle: the last run's server has closed its connections and no
# other process is busy (under IDLE_PERCENT). Gives up after IDLE_WAIT_SECONDS and says so.
wait_idle() {
    local start=$SECONDS busy calm=0
    while :; do
        busy=$(busy_percent)
        # Two quiet half-seconds in a row: a neighbour between two bursts is not idle.
        if (( busy < IDLE_PERCENT )); then
            (( ++calm >= 2 )) && return 0
            continue
        fi
        calm=0
        if (( SECONDS - start > IDLE_WAIT_SECONDS )); then
            echo "${0##*/}: machine still ${busy}% busy after ${IDLE_WAIT_SECONDS}s; running anyway" >&2
            return 0
        fi
    done
}

# The servers a race runs, from SERVERS, BEFORE_DIR and VARIANTS as --servers, --before and
# --variant set them: KINDS, their names in racing order, and by name IMPL (the kind
# ServerMain runs), CP (its classpath) and OPTS (its extra JVM options); BEFORE_DIR made
# absolute. $1 and $2 are the examples the errors give for --before DIR and for --variant
# (empty: none); any further words are names a variant may not take, beside the servers'.
servers_raced() {
    local before_example=$1 variant_example=$2 me="bench/${0##*/}" kind variant name
    shift 2
    declare -gA IMPL=() CP=() OPTS=()
    KINDS=""
    for kind in $SERVERS; do
        case "$kind" in
            sockit|netty|jdk) ;;
            *) echo "$me: --servers takes sockit, netty and jdk, not \"$kind\" (other builds: --before, --variant)" >&2; exit 2 ;;
        esac
        IMPL[$kind]=$kind CP[$kind]=$BENCH_CLASSPATH OPTS[$kind]=""
        KINDS+=" $kind"
    done
    if [[ -n $BEFORE_DIR ]]; then
        [[ -f "$BEFORE_DIR/bench/pom.xml" ]] \
            || { echo "$me: --before $BEFORE_DIR is not a checkout of sockit (no bench/pom.xml); e.g. git worktree add --detach $before_example" >&2; exit 2; }
        BEFORE_DIR=$(cd "$BEFORE_DIR" && pwd)
        IMPL[before]=sockit CP[before]="$BEFORE_DIR/bench/target/classes:$BEFORE_DIR/bench/target/lib/*" OPTS[before]=""
        KINDS+=" before"
    fi
    while IFS= read -r variant; do
        [[ -n $variant ]] || continue
        name=${variant%%=*}
        if [[ $variant != *=* || ! $name =~ ^[a-z][a-z0-9]*$ || -n ${IMPL[$name]:-} || " $* " == *" $name "* ]]; then
            echo "$me: --variant \"$variant\": give NAME=JVM-OPTIONS with a new lower-case NAME${variant_example:+, e.g. $variant_example}" >&2
            exit 2
        fi
        IMPL[$name]=sockit CP[$name]=$BENCH_CLASSPATH OPTS[$name]=${variant#*=}
        KINDS+=" $name"
    done <<<"$VARIANTS"
    (( $(wc -w <<<"$KINDS") <= 9 )) || { echo "$me: at most 9 servers race in one run, not$KINDS" >&2; exit 2; }
}

# Waits up to $1 seconds for the command after it to succeed; false if it never did.
within() {
    local seconds=$1 i
    shift
    for (( i = 0; i < seconds * 10; i++ )); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}

# The same, failing the run with "$1 did not happen within $2 s", said through the calling
# script's own say (which names the script).
await() {
    local what=$1 seconds=$2
    shift 2
    within "$seconds" "$@" || { say "$what did not happen within ${seconds}s"; exit 1; }
}

# ---- open loop: the generator's own warmup ----

# An open loop's warmup when none is given. Each run's generator is a fresh JVM; warmed for 1 s
# it paused 3-30 ms as measuring began (its JIT still compiling the measured path), in every
# run and for every server alike, and that pause was the whole p99; warmed for 5 s, no pause
# stood out and p99 fell to about 1 ms (docs/performance.md, "The generator's warmup").
OPEN_LOOP_WARMUP=5s
# A duration as sockit writes it (500ms, 10s, 2m, or a bare number of seconds) in seconds.
seconds_of() {
    awk -v d="$1" 'BEGIN {
        if (d ~ /ms$/) print substr(d, 1, length(d) - 2) / 1000
        else if (d ~ /m$/) print substr(d, 1, length(d) - 1) * 60
        else if (d ~ /s$/) print substr(d, 1, length(d) - 1) + 0
        else print d + 0
    }'
}
# Prints the warmup to use: $1 as given (empty: not given), $2 the closed loop's default, $3 the
# rate (empty: closed loop). Warns on stderr of an open loop's shorter one.
open_loop_warmup() {
    local given=$1 default=$2 rate=$3
    if [[ -z $rate ]]; then
        echo "${given:-$default}"
    elif [[ -z $given ]]; then
        echo "$OPEN_LOOP_WARMUP"
    else
        awk -v s="$(seconds_of "$given")" -v least="$(seconds_of "$OPEN_LOOP_WARMUP")" 'BEGIN { exit !(s < least) }' \
            && echo "bench/${0##*/}: --warmup $given with --rate: the generator may still be compiling as measuring begins, and its pause then makes the p99 ($OPEN_LOOP_WARMUP or more settles it, the default with --rate)" >&2
        echo "$given"
    fi
}

# ---- reports: figures over repeated runs, and how they are written ----

# The median of a field over runs (the mean of the middle two of an even count); null without any.
median() {
    local field=$1; shift
    (( $# > 0 )) || { echo null; return; }
    jq -s "[.[] | $field | select(. != null)] | sort
        | if length == 0 then null elif length % 2 == 1 then .[(length - 1) / 2] else (.[length / 2 - 1] + .[length / 2]) / 2 end" "$@"
}
# How far a field's runs spread: (max - min) ÷ median as "12%", "–" for fewer than two runs.
spread() {
    local field=$1; shift
    (( $# > 1 )) || { echo "–"; return; }
    jq -rs "[.[] | $field | select(. != null)] | sort
        | if length < 2 then \"–\" else (if length % 2 == 1 then .[(length - 1) / 2] else (.[length / 2 - 1] + .[length / 2]) / 2 end) as \$m
          | if \$m == 0 then \"–\" else \"\(((.[-1] - .[0]) / \$m * 100) | round)%\" end end" "$@"
}
# 1234567.8 -> 1,234,568; "–" for no figure
commas() { awk -v n="$1" 'BEGIN { if (n == "null" || n == "") { print "–"; exit } s = sprintf("%.0f", n); r = ""; while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) } print s r }'; }
# microseconds -> "41.2 µs" / "1.20 ms"
latency() { awk -v u="$1" 'BEGIN { if (u == "null" || u == "") print "–"; else if (u < 100) printf "%.1f µs", u; else if (u < 1000) printf "%.0f µs", u; else printf "%.2f ms", u / 1000 }'; }
fixed() { awk -v v="$1" -v d="$2" 'BEGIN { if (v == "null" || v == "") print "–"; else printf "%." d "f", v }'; }
