#!/usr/bin/env bash
# Benchmark (not a test): the daemon with 1,000 schedules in its store.
#   idle       `errand serve` with 1,000 schedules none of which is due (yearly ones), over
#              IDLE seconds: CPU seconds used and peak RSS; beside the same measured with no
#              schedules in the same run (the baseline), and the ratio;
#   lateness   then 5 minutely schedules (offline organize of a small folder) among the
#              1,000: for each run in RUN seconds, how late it started after its minute
#              (the history's write time minus the time it was scheduled for): median, max.
#
#   bench/scheduler.sh [IDLE] [RUN]      defaults 60 and 190 seconds
#
# ERRAND_BIN overrides the binary (default target/release/errand, built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
IDLE=${1:-60}
RUN=${2:-190}
if [ -n "${ERRAND_BIN:-}" ]; then
    ERRAND=$ERRAND_BIN
else
    [ -x target/release/errand ] || cargo build --release -q -p errand
    ERRAND=$PWD/target/release/errand
fi
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
export ERRAND_CONFIG=$WORK/config.toml
: > "$ERRAND_CONFIG"
mkdir -p "$WORK/folder"

ticks=$(getconf CLK_TCK)
# Starts errand serve on ERRAND_HOME, waits IDLE seconds, prints "cpu_seconds peak_rss_kb".
measure_idle() {
    "$ERRAND" serve --port 0 > "$WORK/serve.out" 2> /dev/null &
    local pid=$!
    until [ -s "$WORK/serve.out" ]; do sleep 0.1; done
    sleep 2 # past start-up: resuming tasks, the first tick
    local a b
    a=$(awk '{print $14 + $15}' /proc/$pid/stat)
    sleep "$IDLE"
    b=$(awk '{print $14 + $15}' /proc/$pid/stat)
    local hwm
    hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
    kill $pid; wait $pid 2>/dev/null || true
    echo "$(echo "($b - $a) / $ticks" | bc -l) $hwm"
}

echo "== idle, ${IDLE} s"
export ERRAND_HOME=$WORK/empty
read -r base_cpu base_rss < <(measure_idle)
export ERRAND_HOME=$WORK/thousand
start=$(date +%s.%N)
for i in $(seq 1 1000); do
    # Each January 1st at a different minute: never due while this runs.
    "$ERRAND" schedule add "Yearly review $i" --folder "$WORK/folder" \
        --cron "$((i % 60)) $((i % 24)) 1 1 *" --mode auto --model offline > /dev/null
done
added=$(echo "$(date +%s.%N) - $start" | bc -l)
read -r cpu rss < <(measure_idle)
printf 'no schedules      cpu %.3f s  peak rss %d KB\n' "$base_cpu" "$base_rss"
printf '1,000 schedules   cpu %.3f s  peak rss %d KB   (made in %.1f s)\n' "$cpu" "$rss" "$added"
printf 'ratio             cpu %.2f   rss %.2f\n' \
    "$(echo "$cpu / ($base_cpu + 0.001)" | bc -l)" "$(echo "$rss / $base_rss" | bc -l)"

echo "== lateness, ${RUN} s with 5 minutely schedules among them"
ids=()
for i in 1 2 3 4 5; do
    mkdir -p "$WORK/minutely$i"
    "$ERRAND" demo-folder "$WORK/minutely$i" --files 10 --seed "$i" > /dev/null
    ids+=("$("$ERRAND" --json schedule add "organize my downloads by type and date" \
        --folder "$WORK/minutely$i" --cron "* * * * *" --mode auto --model offline |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')")
done
"$ERRAND" serve --port 0 > "$WORK/serve.out" 2> /dev/null &
pid=$!
sleep "$RUN"
kill $pid; wait $pid 2>/dev/null || true
for id in "${ids[@]}"; do "$ERRAND" --json schedule history "$id"; done | python3 -c '
import json, sys, statistics
from datetime import datetime
late, kinds = [], {}
for line in sys.stdin:
    for e in json.loads(line)["history"]:
        kinds[e["kind"]] = kinds.get(e["kind"], 0) + 1
        if e["kind"] == "ran":
            at = datetime.fromisoformat(e["at"].replace("Z", "+00:00"))
            due = datetime.fromisoformat(e["scheduled_for"].replace("Z", "+00:00"))
            late.append((at - due).total_seconds())
print("history entries:", dict(sorted(kinds.items())))
if late:
    print(f"runs {len(late)}   late: median {statistics.median(late):.3f} s   max {max(late):.3f} s")
else:
    print("no runs")
'
