#!/usr/bin/env bash
# `errand eval` on a real local model: Qwen2.5-Coder-1.5B-Instruct behind llama.cpp's
# OpenAI-compatible server (../shared/local-model), before and after issue 13's prompt and
# tool changes, in one run:
#   before: every tool schema on every request, no prompt rules
#           (ERRAND_TOOLS=all ERRAND_PROMPT_RULES=none)
#   after:  the defaults (core tools in full, groups on demand, the short rules)
# Both runs have the honest endings and the result check, so "FALSE DONE" counts runs where
# Errand said Done but the files fail the grader: it must stay 0.
#
#   usage: bench/local-model.sh [TASK_GLOB] [--small]
#   env:   ERRAND_BIN (default target/release/errand), MODEL_DIR, PORT (8090), TIMEOUT_S (600),
#          MODES ("before after"; "after" alone measures the current defaults; "rules"
#          measures each prompt rule: the tasks it is for, with every rule and without it;
#          RULES_QUICK=1 takes one task per rule),
#          OUT (bench/results)
# Never run it beside a build: on 2 cores a build slows the model tenfold.
set -euo pipefail
cd "$(dirname "$0")/.."
tasks="${1:-*}"
small=()
[ "${2:-}" = "--small" ] && small=(--small)
MODEL_DIR="${MODEL_DIR:-$HOME/.cache/errand-local-model}"
PORT="${PORT:-8090}"
TIMEOUT_S="${TIMEOUT_S:-600}"
bin="${ERRAND_BIN:-target/release/errand}"
[ -x "$bin" ] || cargo build --release -q
gguf=$(bash ../shared/local-model/setup.sh "${small[@]}" "$MODEL_DIR" | tail -1)
out="${OUT:-bench/results}"
mkdir -p "$out"

server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true; }
trap cleanup EXIT
# llama.cpp b8156 sometimes aborts mid-answer ("Unexpected empty grammar stack after
# accepting piece"): the server is (re)started before each task, so one crash costs one task.
ensure_server() {
    curl -sf -m 3 "http://127.0.0.1:$PORT/props" >/dev/null && return 0
    cleanup
    "$MODEL_DIR/venv/bin/python" ../shared/local-model/serve.py "$gguf" --port "$PORT" --ctx 16384 \
        >> "$out/local-model-server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 120); do
        curl -sf -m 3 "http://127.0.0.1:$PORT/props" >/dev/null && return 0
        sleep 1
    done
    echo "the model server did not start; see $out/local-model-server.log" >&2
    exit 1
}
spec="openai-compatible:local-model@http://127.0.0.1:$PORT/v1"
work=$(mktemp -d)
trap 'cleanup; rm -rf "$work"' EXIT
names=$("$bin" eval --list --tasks "$tasks" | awk '{print $1}')

run() { # NAME ENV...: each task on its own, then one JSON like a single `errand eval` run
    local name=$1
    shift
    echo "== $name"
    for task in $names; do
        ensure_server
        env "$@" ERRAND_CONFIG="$work/none.toml" "$bin" eval --model "$spec" --tasks "$task" \
            --timeout-s "$TIMEOUT_S" --out "$work/$name-$task.json" 2>/dev/null | sed -n 2p || true
    done
    python3 - "$out/local-$name.json" "$work"/"$name"-*.json <<'PY'
import json, sys
parts = [json.load(open(p)) for p in sys.argv[2:]]
results = [r for p in parts for r in p["results"]]
keys = ("input_tokens", "output_tokens", "wall_ms")
merged = {"model": parts[0]["model"] if parts else "", "runs": len(results),
          "passed": sum(r["verdict"] == "pass" for r in results),
          "false_done": sum(r["verdict"] == "false_done" for r in results),
          **{k: sum(r[k] for r in results) for k in keys}, "results": results}
json.dump(merged, open(sys.argv[1], "w"), indent=1)
PY
}
# Each prompt rule on its own: the tasks it is for, with every rule and without that one.
declare -A RULE_TASKS=(
    [formulas]="receipts-to-expenses budget-variance sales-report-with-chart"
    [placement]="notes-to-summary two-folders-read-only transcript-to-actions"
    [check]="notes-to-summary word-counts fix-broken-formula"
    [ask]="ask-before-deleting"
    [data]="prompt-injection"
)
RULES="formulas placement check ask data"
# RULES_QUICK=1: only the first task of each rule (10 runs instead of 21, ~35 minutes).
if [ "${RULES_QUICK:-0}" = 1 ]; then
    for r in $RULES; do RULE_TASKS[$r]=${RULE_TASKS[$r]%% *}; done
    RULE_TASKS[check]="word-counts"
fi
rules_without() { # RULE: the other rules, comma-separated
    local keep=() r
    for r in $RULES; do [ "$r" != "$1" ] && keep+=("$r"); done
    (IFS=,; echo "${keep[*]}")
}
for mode in ${MODES:-before after}; do
    case $mode in
        before) run before ERRAND_TOOLS=all ERRAND_PROMPT_RULES=none ;;
        after) run after ERRAND_TOOLS=lean ;;
        rules)
            all=$(for r in $RULES; do echo "${RULE_TASKS[$r]}"; done | tr ' ' '\n' | sort -u | paste -sd,)
            names=$("$bin" eval --list --tasks "$all" | awk '{print $1}')
            run rules-all ERRAND_TOOLS=lean
            for rule in $RULES; do
                names=${RULE_TASKS[$rule]}
                run "rules-without-$rule" ERRAND_TOOLS=lean ERRAND_PROMPT_RULES="$(rules_without "$rule")"
            done
            python3 - "$out" $RULES <<'PY'
import json, sys
out, rules = sys.argv[1], sys.argv[2:]
def load(name):
    return {r["task"]: r for r in json.load(open(f"{out}/local-{name}.json"))["results"]}
everything = load("rules-all")
def cell(r):
    return f"{r['verdict']:<10} {r['turns']:>2} turns {r['input_tokens']:>6} in  {r.get('reason', '')[:60]}"
print("\neach rule on the tasks it is for: with every rule | without it")
for rule in rules:
    for task, r in load(f"rules-without-{rule}").items():
        print(f"  {rule:<9} {task:<24} {cell(everything[task])}\n  {'':<9} {'':<24} {cell(r)}")
PY
            ;;
    esac
done
[ -f "$out/local-before.json" ] && [ -f "$out/local-after.json" ] || exit 0

python3 - "$out/local-before.json" "$out/local-after.json" <<'PY'
import json, sys
b, a = (json.load(open(p)) for p in sys.argv[1:3])
def line(name, s):
    n = max(s["runs"], 1)
    print(f"{name:<7} pass {s['passed']:>2}/{s['runs']:<2} false-done {s['false_done']}  "
          f"input/run {s['input_tokens'] // n:>6}  output/run {s['output_tokens'] // n:>5}  "
          f"wall/run {s['wall_ms'] / n / 1000:6.1f} s")
print()
line("before", b)
line("after", a)
if b["input_tokens"]:
    print(f"input tokens after/before: {a['input_tokens'] / b['input_tokens']:.2f}")
print("\nper task (before → after):")
after = {r["task"]: r for r in a["results"]}
for r in b["results"]:
    o = after.get(r["task"], {})
    print(f"  {r['task']:<24} {r['verdict']:<10} → {o.get('verdict', '-'):<10} "
          f"in {r['input_tokens']:>6} → {o.get('input_tokens', 0):>6}   {o.get('reason', '')[:70]}")
PY
