#!/usr/bin/env bash
# Benchmark (not a test): sub-agents in parallel. A scripted task delegates to N sub-agents,
# each against a scripted model with 200 ms latency per turn and 5 turns. Compared in the
# same command against one sub-agent alone, so the ratios hold on a noisy machine:
#   wall(8 at limit 4) / (wall(1) × ceil(8/4))   — near 1 means the limit is the only cost
#   wall(8 at limit 4) / (8 × wall(1))           — what running them one by one would cost
# and the peak memory of a task running 16 sub-agents at once.
#
#   bench/agents.sh [RUNS]        RUNS defaults to 3
#
# Needs GNU time at /usr/bin/time for peak memory.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
cargo build -q --release -p errand
ERRAND=$PWD/target/release/errand
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# script N: a parent that delegates N sub-agents, each 5 turns of 200 ms (4 writes, finish).
script() {
    python3 - "$1" <<'PY'
import json, sys
n = int(sys.argv[1])
def sub(k):
    turns = [{"delay_ms": 200, "tool_calls": [{"name": "write_file",
              "input": {"path": f"out/agent{k}-{t}.md", "content": f"agent {k} turn {t}\n"}}]}
             for t in range(4)]
    turns.append({"delay_ms": 200, "tool_calls": [{"name": "finish",
                  "input": {"summary": f"agent {k} wrote 4 files"}}]})
    return {"turns": turns}
print(json.dumps({
    "turns": [
        {"tool_calls": [{"name": "delegate", "input": {"agents": [{"goal": f"part {k}"} for k in range(1, n + 1)]}}]},
        {"expect_tool_result_contains": f"{n} done, 0 failed",
         "tool_calls": [{"name": "finish", "input": {"summary": "done"}}]},
    ],
    "subagents": [sub(k) for k in range(1, n + 1)],
}))
PY
}

# run N LIMIT: prints "seconds peak_kb" for one task.
run() {
    local n=$1 limit=$2 dir
    dir=$(mktemp -d -p "$WORK")
    mkdir -p "$dir/folder"
    script "$n" > "$dir/script.json"
    printf '[agents]\nconcurrency = %s\n' "$limit" > "$dir/config.toml"
    local start end
    start=$(date +%s.%N)
    ERRAND_HOME="$dir/home" ERRAND_CONFIG="$dir/config.toml" /usr/bin/time -f '%M' -o "$dir/mem" \
        "$ERRAND" --json run "parts" --model "scripted:$dir/script.json" --mode auto \
        --folder "$dir/folder" > "$dir/out.jsonl"
    end=$(date +%s.%N)
    [ "$(ls "$dir/folder/out" | wc -l)" -eq $((n * 4)) ] || { echo "missing files for $n" >&2; exit 1; }
    echo "$(echo "$end - $start" | bc -l) $(cat "$dir/mem")"
}

echo "run  one(s)  eight@4(s)  eight@8(s)  vs ceil(8/4)×one  vs 8×one  16@16 peak"
for r in $(seq "$RUNS"); do
    read -r one _ < <(run 1 4)
    read -r eight4 _ < <(run 8 4)
    read -r eight8 _ < <(run 8 8)
    read -r _ peak < <(run 16 16)
    printf '%3d  %6.2f  %10.2f  %10.2f  %16.2f  %8.2f  %6.1f MB\n' "$r" "$one" "$eight4" "$eight8" \
        "$(echo "$eight4 / (2 * $one)" | bc -l)" "$(echo "$eight4 / (8 * $one)" | bc -l)" \
        "$(echo "$peak / 1024" | bc -l)"
done
