#!/usr/bin/env bash
# Benchmark (not a test): one MCP tool call, server-everything's `echo` over stdio, made by
# Errand and by the official Python MCP SDK client in the same run, interleaved.
#   errand client   `errand mcp exercise everything --tool echo --repeat N`: the pool and
#                   connection a task uses, timed around each call (µs);
#   errand task     a scripted task making N calls of mcp__everything__echo: calls/s over the
#                   whole stretch, and the median gap between results (ms resolution: the
#                   event log's clock), so it includes the agent loop, the policy and the
#                   event log per call;
#   python sdk      ClientSession.call_tool("echo") N times (µs).
# Prints calls/s and the median per call of each, then Errand / SDK ratios.
#
#   bench/mcp.sh [N]        N defaults to 300 calls per run; 3 runs, medians shown
#
# ERRAND_BIN overrides the binary (default target/release/errand, built if missing). Needs
# the test servers (`npm ci --prefix crates/errand-mcp/tests/servers`) and `pip install mcp`.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-300}
RUNS=3
if [ -n "${ERRAND_BIN:-}" ]; then
    ERRAND=$ERRAND_BIN
else
    [ -x target/release/errand ] || cargo build --release -q -p errand
    ERRAND=$PWD/target/release/errand
fi
SERVER=$PWD/crates/errand-mcp/tests/servers/node_modules/.bin/mcp-server-everything
[ -x "$SERVER" ] || { echo "run: npm ci --prefix crates/errand-mcp/tests/servers" >&2; exit 1; }
python3 -c "import mcp" 2>/dev/null || { echo "run: pip install mcp==2.3.0" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export ERRAND_HOME=$WORK/home ERRAND_CONFIG=$WORK/config.toml
# max_turns: a task stops at 200 model turns by default, fewer than N calls may need.
printf 'max_turns = %d\n\n[mcp.servers.everything]\ncommand = "%s"\n' $((N + 10)) "$SERVER" > "$ERRAND_CONFIG"
mkdir -p "$WORK/folder"
python3 - "$N" > "$WORK/script.json" <<'PY'
import json, sys
n = int(sys.argv[1])
# A new message each time: the same call repeated is what Errand stops as a loop.
turns = [{"tool_calls": [{"name": "mcp__everything__echo", "input": {"message": f"ping {i}"}}]} for i in range(n)]
turns.append({"tool_calls": [{"name": "finish", "input": {"summary": "echoed"}}]})
print(json.dumps({"turns": turns}))
PY

for run in $(seq "$RUNS"); do
    "$ERRAND" mcp exercise everything --tool echo --args '{"message":"ping"}' --repeat "$N" \
        | sed "s/^/errand-client /" >> "$WORK/results"
    "$ERRAND" --json run "Echo $N times" --model "scripted:$WORK/script.json" --mode auto \
        --folder "$WORK/folder" > "$WORK/task-$run.jsonl"
    python3 - "$WORK/task-$run.jsonl" >> "$WORK/results" <<'PY'
import json, statistics, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
calls = [e for e in events if e.get("type") in ("tool_started", "tool_finished") and e.get("tool") == "mcp__everything__echo"]
started = [e["at"] for e in calls if e["type"] == "tool_started"]
finished = [e["at"] for e in calls if e["type"] == "tool_finished"]
assert len(finished) == len(started) and finished, "the task did not make its calls"
gaps = [b - a for a, b in zip(finished, finished[1:])]
wall = (finished[-1] - started[0]) / 1000
print("errand-task " + json.dumps({"calls": len(finished), "median_us": statistics.median(gaps) * 1000,
                                   "calls_per_s": len(finished) / wall if wall else float("inf")}))
PY
    python3 bench/mcp_sdk_client.py "$N" echo '{"message":"ping"}' -- "$SERVER" \
        | sed "s/^/python-sdk /" >> "$WORK/results"
done

python3 - "$WORK/results" "$N" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, data = line.split(" ", 1)
    rows.setdefault(name, []).append(json.loads(data))
med = lambda name, key: statistics.median(r[key] for r in rows[name])
print(f"{'':<14} {'calls/s':>9} {'median per call':>16}   (N={sys.argv[2]} calls, medians of {len(rows['python-sdk'])} runs)")
for name in ("errand-client", "errand-task", "python-sdk"):
    print(f"{name:<14} {med(name, 'calls_per_s'):>9.0f} {med(name, 'median_us') / 1000:>13.2f} ms")
sdk_rate, sdk_med = med("python-sdk", "calls_per_s"), med("python-sdk", "median_us")
for name in ("errand-client", "errand-task"):
    print(f"{name} / python-sdk: calls/s {med(name, 'calls_per_s') / sdk_rate:.2f}, "
          f"median per call {med(name, 'median_us') / sdk_med:.2f}")
PY
