#!/usr/bin/env bash
# Measures how long `sockit client` takes from launch until its prompt is ready, as a person
# at a terminal meets it (or `sockit server` until "wait for connection...", with --command
# server), and compares the ways of starting the JVM; writes a dated Markdown table to
# bench/results/DATE-startup[-server].md.
#
# The client runs on a pseudo-terminal against a sockit server started here on a free port, so
# it takes the path a person at a terminal does: connect, print "Connected to ..." and draw
# "Please input msg: " (EarlyPrompt), while JLine's terminal and line reader are built, which then
# take the line over with any keys typed meanwhile (InteractiveSession). Each run is timed from
# just before the process is created until that prompt is on the terminal, the moment one can
# type; then Ctrl-D ends the client (typed at once, so mostly before JLine has taken the line over:
# EarlyPromptTest checks that it ends the client there too). (With stdin not a terminal the client
# prints no prompt and skips JLine: timing its first output line would measure another program.)
#
# Variants run in turn, round after round, so a busy neighbour disturbs them all alike; each
# round waits first for the machine to be idle (at most IDLE_WAIT_SECONDS, 30); two unmeasured
# rounds first fill the file cache and write the class-data archives.
#
#   bench/startup.sh                  10 runs of each variant (~3 min)
#   bench/startup.sh --runs 20
#   bench/startup.sh --variants "launcher appcds aot+c1+serial"
#   bench/startup.sh --no-build       use what is already built
#   bench/startup.sh --command server --variants "archive launcher hello"
#   bench/startup.sh --define thp=-XX:+UseTransparentHugePages --variants "archive archive+thp hello"
#   bench/startup.sh --image zip0=/tmp/sockit-zip0 --variants "archive zip0 hello"
#
# A variant is a way to start, then modifiers joined by "+" (appcds+c1+serial). Ways: archive
# (the release archive's bin/sockit, dist/target/image; built with dist when missing), hello (a
# JVM hello-world that prints the same prompt: the floor, measured in the same rounds), launcher
# (bin/sockit, as users run it), launcher-old (bin/sockit as committed on main, if this checkout
# has a main), no-cds (java -Xshare:off -jar), default-cds (the JDK's own archive), appcds (the
# archive bin/sockit wrote before this branch), aot (a JDK 25 AOT cache trained by one run of
# the client at a terminal). Modifiers: c1 (-XX:TieredStopAtLevel=1), serial (-XX:+UseSerialGC),
# jni, exec, ffm (JLine's terminal provider), and any defined with --define NAME="JVM FLAGS"; a
# launcher takes them through SOCKIT_JAVA_OPTS. --image NAME=DIR adds a way NAME that runs
# DIR/bin/sockit as archive runs the built one (another release image, to compare builds).
#
# Needs: Linux, python3 (for the pseudo-terminal), Maven and a JDK 25.
set -euo pipefail
IDLE_WAIT_SECONDS=${IDLE_WAIT_SECONDS:-30}
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

RUNS=10
NO_BUILD=${NO_BUILD:-}
COMMAND=client
VARIANTS="launcher launcher-old no-cds default-cds appcds appcds+c1 appcds+serial appcds+c1+serial aot aot+c1 aot+c1+serial appcds+jni appcds+exec"
PROMPT_TIMEOUT=20   # seconds one client may take to show its prompt before the run counts as failed
declare -A DEFINED=() IMAGES=()
EXTRA_ARGS=""   # the --define and --image arguments, for the report's "reproduce" line

usage() {
    sed -n '2,/^# Needs:/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

while (( $# > 0 )); do
    case "$1" in
        --runs) RUNS=${2:?--runs needs a number, e.g. 10}; shift 2 ;;
        --variants) VARIANTS=${2:?--variants needs a list, e.g. \"launcher appcds\"}; shift 2 ;;
        --no-build) NO_BUILD=1; shift ;;
        --command) COMMAND=${2:?--command needs client or server}; shift 2 ;;
        --define)
            [[ ${2:-} =~ ^[a-z0-9-]+=. ]] || { echo "bench/startup.sh: --define needs NAME=\"JVM FLAGS\" (NAME in a-z, 0-9, -), not \"${2:-}\"" >&2; exit 2; }
            DEFINED[${2%%=*}]=${2#*=}; EXTRA_ARGS+=" --define ${2%%=*}=\"${2#*=}\""; shift 2 ;;
        --image)
            [[ ${2:-} =~ ^[a-z0-9-]+=. && -x ${2#*=}/bin/sockit ]] \
                || { echo "bench/startup.sh: --image needs NAME=DIR, DIR a release image with bin/sockit, not \"${2:-}\"" >&2; exit 2; }
            IMAGES[${2%%=*}]=${2#*=}; EXTRA_ARGS+=" --image $2"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench/startup.sh: unknown argument \"$1\"; see bench/startup.sh --help" >&2; exit 2 ;;
    esac
done
[[ $COMMAND == client || $COMMAND == server ]] || { echo "bench/startup.sh: --command must be client or server, not $COMMAND" >&2; exit 2; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "bench/startup.sh: --runs must be a whole number of 1 or more, not $RUNS" >&2; exit 2; }
command -v python3 >/dev/null 2>&1 \
    || { echo "bench/startup.sh: python3 not found; it gives the client a pseudo-terminal (apt-get install python3)" >&2; exit 1; }

find_java
[[ -n "$NO_BUILD" ]] || build
IMAGE=$(ls -d "$ROOT_DIR"/dist/target/image/sockit-* 2>/dev/null | head -1 || true)
if [[ " $VARIANTS " == *" archive"* && -z "$IMAGE" ]]; then
    echo "bench/startup.sh: building the release archive (dist)" >&2
    (cd "$ROOT_DIR" && mvn -q -DskipTests -pl dist -am package) || { echo "bench/startup.sh: the dist build failed" >&2; exit 1; }
    IMAGE=$(ls -d "$ROOT_DIR"/dist/target/image/sockit-* | head -1)
fi
if [[ $COMMAND == server ]]; then PROMPT_TEXT="wait for connection..."; else PROMPT_TEXT="Please input msg: "; fi

JAR="$ROOT_DIR/cli/target/sockit.jar"
[[ -f $JAR ]] || { echo "bench/startup.sh: $JAR is missing; build it (mvn -pl cli -am package) or drop --no-build" >&2; exit 1; }
work=$(mktemp -d)
server_pid=
cleanup() {
    [[ -z $server_pid ]] || { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }
    rm -rf "$work"
}
trap cleanup EXIT

# Times one run: prints "CONNECTED_MS PROMPT_MS CPU_MS" ("- - -" when no prompt came) and ends the client.
# CPU_MS: the CPU time (user + system, all threads, and any child the launcher waited for) the
# client had used when its prompt appeared, from /proc/PID/stat: less disturbed by neighbours than
# the wall time, though only to 10 ms.
cat >"$work/prompt_time.py" <<'EOF'
import fcntl, os, pty, select, signal, struct, sys, termios, time

PROMPT = sys.argv[1].encode()
timeout = float(sys.argv[2])
log = sys.argv[3]
argv = sys.argv[4:]
started = time.monotonic_ns()
pid, fd = pty.fork()  # the child gets the terminal as its controlling one, as in a shell
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
def cpu_ms(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return sum(int(x) for x in fields[11:15]) * 1000 // os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return None

out = b""
connected = prompt = cpu = None
deadline = time.monotonic() + timeout
while prompt is None and time.monotonic() < deadline:
    if not select.select([fd], [], [], 0.2)[0]:
        continue
    try:
        chunk = os.read(fd, 65536)
    except OSError:  # EIO: the client closed the terminal
        break
    if not chunk:
        break
    out += chunk
    now = time.monotonic_ns()
    if connected is None and b"Connected to" in out:
        connected = now
    if PROMPT in out:
        prompt = now
        cpu = cpu_ms(pid)
if prompt is not None:
    os.write(fd, b"\x04")  # Ctrl-D: the client (or hello) leaves
    if PROMPT.startswith(b"wait"):
        os.kill(pid, signal.SIGTERM)  # the server stops gracefully, writing any cache it trains
# Drain what it still prints (the JVM may write its class-data archive) until it exits.
end = time.monotonic() + 60
while pid and time.monotonic() < end:
    if select.select([fd], [], [], 0.1)[0]:
        try:
            out += os.read(fd, 65536)
        except OSError:
            pass
    if os.waitpid(pid, os.WNOHANG)[0]:
        pid = 0
if pid:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
os.close(fd)
with open(log, "ab") as f:
    f.write(out + b"\n----\n")
ms = lambda t: "-" if t is None else "%.1f" % ((t - started) / 1e6)
print(ms(connected), ms(prompt), "-" if cpu is None else cpu)
EOF

# The floor: a JVM that prints the same prompt and waits for Ctrl-D, on the same JDK.
cat >"$work/Hello.java" <<'EOF'
public class Hello {
    public static void main(String[] args) throws Exception {
        System.out.print(args[0]);
        System.out.flush();
        while (System.in.read() >= 0) { }
    }
}
EOF
"$JAVA_HOME/bin/javac" -d "$work" "$work/Hello.java"

# The server the clients connect to: sockit's own, on a port the system picks.
"$JAVA" -cp "$CLI_CLASSPATH" dev.sockit.cli.Sockit server tcp://127.0.0.1:0 --no-console >"$work/server.log" 2>&1 &
server_pid=$!
port=
for _ in $(seq 100); do
    port=$(sed -n 's/^Server start at: 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/server.log")
    [[ -n $port ]] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
[[ -n $port ]] || { echo "bench/startup.sh: the sockit server did not start; it said:" >&2; tail -5 "$work/server.log" >&2; exit 1; }
ENDPOINT="tcp://127.0.0.1:$port"

# The flags main's bin/sockit starts the JVM with: a dynamic archive it writes on the first run.
JSA="$work/sockit.jsa"
APPCDS=(-XX:SharedArchiveFile="$JSA" -XX:+AutoCreateSharedArchive -Xlog:cds=off -Xlog:cds+dynamic=off --enable-native-access=ALL-UNNAMED)
AOT_CACHE="$work/sockit.aot"
AOT=(-XX:AOTCache="$AOT_CACHE" -Xlog:aot=off -Xlog:cds=off --enable-native-access=ALL-UNNAMED)
C1=(-XX:TieredStopAtLevel=1)
SERIAL=(-XX:+UseSerialGC)

# A variant is a way to start plus modifiers, joined by "+": appcds+c1+serial.
# The command of a variant, one word per line.
command_of() {
    local base=${1%%+*} modifiers=() flags=() word
    [[ $1 == *+* ]] && IFS='+' read -r -a modifiers <<<"${1#*+}"
    for word in "${modifiers[@]}"; do
        case "$word" in
            c1) flags+=("${C1[@]}") ;;
            serial) flags+=("${SERIAL[@]}") ;;
            jni|exec|ffm) flags+=(-Dorg.jline.terminal.provider="$word") ;;
            *) if [[ -n ${DEFINED[$word]:-} ]]; then read -r -a defined <<<"${DEFINED[$word]}"; flags+=("${defined[@]}"); continue; fi
               echo "bench/startup.sh: unknown modifier \"$word\" in \"$1\"; see bench/startup.sh --help" >&2; exit 2 ;;
        esac
    done
    local target=$ENDPOINT
    [[ $COMMAND == server ]] && target=tcp://127.0.0.1:0
    local client=(-jar "$JAR" "$COMMAND" "$target")
    if [[ -n ${IMAGES[$base]:-} ]]; then
        printf '%s\n' env "SOCKIT_JAVA_OPTS=${flags[*]}" "${IMAGES[$base]}/bin/sockit" "$COMMAND" "$target"
        return
    fi
    case "$base" in
        # The launchers take extra flags the way users give them: SOCKIT_JAVA_OPTS.
        launcher) printf '%s\n' env "SOCKIT_JAVA_OPTS=${flags[*]}" "$ROOT_DIR/bin/sockit" "$COMMAND" "$target" ;;
        launcher-old) printf '%s\n' env "SOCKIT_JAVA_OPTS=${flags[*]}" "$work/old/bin/sockit" "$COMMAND" "$target" ;;
        archive) printf '%s\n' env "SOCKIT_JAVA_OPTS=${flags[*]}" "$IMAGE/bin/sockit" "$COMMAND" "$target" ;;
        hello) printf '%s\n' "$JAVA" "${flags[@]}" -cp "$work" Hello "$PROMPT_TEXT" ;;
        no-cds) printf '%s\n' "$JAVA" -Xshare:off --enable-native-access=ALL-UNNAMED "${flags[@]}" "${client[@]}" ;;
        default-cds) printf '%s\n' "$JAVA" --enable-native-access=ALL-UNNAMED "${flags[@]}" "${client[@]}" ;;
        appcds) printf '%s\n' "$JAVA" "${APPCDS[@]}" "${flags[@]}" "${client[@]}" ;;
        aot) printf '%s\n' "$JAVA" "${AOT[@]}" "${flags[@]}" "${client[@]}" ;;
        *) echo "bench/startup.sh: unknown variant \"$1\"; see bench/startup.sh --help" >&2; exit 2 ;;
    esac
}

# What a variant is, for the report.
describe() {
    local base=${1%%+*} modifiers=() word text
    [[ $1 == *+* ]] && IFS='+' read -r -a modifiers <<<"${1#*+}"
    case "$base" in
        launcher) text="\`bin/sockit $COMMAND\`, as users run it (finds the JDK, checks the build, starts the JVM with its flags: an AOT cache its first run wrote)" ;;
        archive) text="the release archive's \`bin/sockit $COMMAND\` (its jlink runtime, the AOT cache the build trained, JLine through JNI)" ;;
        hello) text="a JVM hello-world printing the same prompt (\`java -cp . Hello\`, the JDK's CDS archive): the floor" ;;
        launcher-old) text="\`bin/sockit $COMMAND\` as committed on main" ;;
        no-cds) text="\`java -Xshare:off -jar sockit.jar\`: no class-data sharing" ;;
        default-cds) text="\`java -jar sockit.jar\`: the JDK's default CDS archive (JDK classes only)" ;;
        appcds) text="\`java -XX:SharedArchiveFile=sockit.jsa -XX:+AutoCreateSharedArchive -jar sockit.jar\`: the dynamic AppCDS archive main's bin/sockit writes on its first run" ;;
        aot) text="\`java -XX:AOTCache=sockit.aot -jar sockit.jar\`: a JDK 25 AOT cache (classes loaded and linked, lambdas resolved) trained by one client run at a terminal with \`-XX:AOTCacheOutput\`" ;;
        *) text="the release image in \`${IMAGES[$base]}\`: its \`bin/sockit $COMMAND\`" ;;
    esac
    for word in "${modifiers[@]}"; do
        case "$word" in
            c1) text+="; \`-XX:TieredStopAtLevel=1\` (C1 only)" ;;
            serial) text+="; \`-XX:+UseSerialGC\`" ;;
            jni|exec|ffm) text+="; \`-Dorg.jline.terminal.provider=$word\`" ;;
            *) text+="; \`${DEFINED[$word]}\`" ;;
        esac
    done
    echo "$text"
}

raw="$work/runs"
mkdir -p "$raw"
run() {
    local variant=$1 words
    mapfile -t words < <(command_of "$variant")
    python3 "$work/prompt_time.py" "$PROMPT_TEXT" "$PROMPT_TIMEOUT" "$raw/$variant.log" "${words[@]}"
}

echo "bench/startup.sh: sockit server on $ENDPOINT; $RUNS runs of: $VARIANTS" >&2
# What each variant needs made first: the launchers' and appcds's archives (their first runs
# write them, in the unmeasured round), an AOT cache (one training run at the terminal), main's
# launcher (a copy of main's bin/ beside a copy of this tree's jar).
if [[ " $VARIANTS " == *" launcher-old"* ]]; then
    if git -C "$ROOT_DIR" cat-file -e main:bin/sockit 2>/dev/null; then
        mkdir -p "$work/old/bin/lib" "$work/old/cli/target"
        git -C "$ROOT_DIR" show main:bin/sockit >"$work/old/bin/sockit"
        git -C "$ROOT_DIR" show main:bin/lib/jdk.sh >"$work/old/bin/lib/jdk.sh"
        chmod +x "$work/old/bin/sockit"
        # A copy of this tree's jar, newer than any source it could check, so it builds nothing,
        # and an archive of its own, so the two launchers never rewrite each other's.
        cp -r "$JAR" "$ROOT_DIR/cli/target/lib" "$work/old/cli/target/"
    else
        echo "bench/startup.sh: no branch main here; leaving out launcher-old" >&2
        VARIANTS=$(tr ' ' '\n' <<<"$VARIANTS" | grep -v '^launcher-old' | tr '\n' ' ')
    fi
fi
if [[ " $VARIANTS " == *" aot"* ]]; then
    # The training run: the client as a person starts it, with the flags the cache is used with.
    mapfile -t words < <(command_of default-cds)
    python3 "$work/prompt_time.py" "$PROMPT_TEXT" 120 "$raw/aot-training.log" \
        "$JAVA" -XX:AOTCacheOutput="$AOT_CACHE" -Xlog:aot=off -Xlog:cds=off "${words[@]:1}" >/dev/null
    [[ -f $AOT_CACHE ]] || { echo "bench/startup.sh: the AOT training run wrote no cache; see $raw/aot-training.log" >&2; exit 1; }
fi
# Unmeasured: files in the page cache, archives written. Twice, as an archive written by one
# variant's first run may be rewritten once by another's (the same file, other flags).
for variant in $VARIANTS $VARIANTS; do run "$variant" >/dev/null; done

for round in $(seq "$RUNS"); do
    wait_idle
    for variant in $VARIANTS; do
        read -r connected prompt cpu < <(run "$variant")
        echo "$connected $prompt $cpu" >>"$raw/$variant.times"
    done
    printf '  round %d of %d: %s\n' "$round" "$RUNS" "$(for v in $VARIANTS; do printf '%s %s  ' "$v" "$(tail -1 "$raw/$v.times" | cut -d' ' -f2)"; done)" >&2
done

# p50 and p90 (nearest rank), min and max of a column of milliseconds, and how many runs had a prompt.
stats() {
    local f=$1 col=$2 sorted
    mapfile -t sorted < <(awk -v col="$col" '$col != "-" { print $col }' "$f" | sort -g)
    local n=${#sorted[@]}
    if (( n == 0 )); then echo "– | – | – | – | 0"; return; fi
    printf '%.0f | %.0f | %.0f | %.0f | %d\n' "${sorted[$(( (n + 1) / 2 - 1 ))]}" "${sorted[$(( (9 * n + 9) / 10 - 1 ))]}" \
        "${sorted[0]}" "${sorted[$(( n - 1 ))]}" "$n"
}

suffix=startup
[[ $COMMAND == server ]] && suffix=startup-server
results="$BENCH_DIR/results/$(date +%Y-%m-%d-%H%M)-$suffix.md"
{
    echo "# sockit $COMMAND start-up: launch to \"$PROMPT_TEXT\", $(date '+%Y-%m-%d %H:%M %Z')"
    echo
    echo "- machine: $(nproc) × $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), Linux $(uname -r); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- JDK: $("$JAVA" -version 2>&1 | head -2 | tail -1)"
    echo "- commit $(git -C "$ROOT_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT_DIR" status --porcelain -- core cli bin 2>/dev/null | grep -q . && echo ' + uncommitted changes' || true); server: \`sockit server $ENDPOINT\`"
    echo "- each run: \`sockit $COMMAND\` (client: to $ENDPOINT; server: on tcp://127.0.0.1:0) on a pseudo-terminal (python3's pty, as a terminal emulator gives one: the client takes its interactive path, JLine and all); timed from just before the process is created until \"$PROMPT_TEXT\" appears on the terminal, then Ctrl-D (and SIGTERM for a server); $RUNS runs of each variant, the variants in turn in each round, after two unmeasured rounds; each round started once the machine was under ${IDLE_PERCENT}% busy (or after ${IDLE_WAIT_SECONDS} s of waiting)"
    echo "- CPU at prompt: user + system time of the client (all threads, and what the launcher waited for) when the prompt appeared, to 10 ms; steadier than wall time on a shared machine"
    echo "- reproduce: \`bench/startup.sh --runs $RUNS --command $COMMAND$EXTRA_ARGS --variants \"$VARIANTS\"\`"
    echo
    echo "| variant | prompt p50 ms | p90 | min | max | runs | CPU at prompt p50 ms | how it starts |"
    echo "|---|---:|---:|---:|---:|---:|---:|---|"
    for variant in $VARIANTS; do
        IFS='|' read -r p50 p90 min max n < <(stats "$raw/$variant.times" 2)
        IFS='|' read -r cpu50 _ < <(stats "$raw/$variant.times" 3)
        echo "| $variant | $p50 | $p90 | $min | $max | $n | $cpu50 | $(describe "$variant") |"
    done
    echo
    echo "<details><summary>raw: connected / prompt / CPU ms per run</summary>"
    echo
    echo '```'
    for variant in $VARIANTS; do echo "$variant: $(awk '{ printf "%s/%s/%s ", $1, $2, $3 }' "$raw/$variant.times")"; done
    echo '```'
    echo
    echo "</details>"
} >"$results"
sed -n '/^| variant/,/^$/p' "$results" | cut -d'|' -f1-8 >&2
echo "bench/startup.sh: wrote $results" >&2
