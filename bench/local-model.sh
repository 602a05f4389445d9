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
#   env:   ERRAND_BIN (default target/release/errand), MODEL_DIR, PORT (8090), TIMEOUT_S (600)
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
out="bench/results"
mkdir -p "$out"

server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true; }
trap cleanup EXIT
if ! curl -sf "http://127.0.0.1:$PORT/props" >/dev/null; then
    "$MODEL_DIR/venv/bin/python" ../shared/local-model/serve.py "$gguf" --port "$PORT" --ctx 16384 \
        > "$out/local-model-server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 120); do
        curl -sf "http://127.0.0.1:$PORT/props" >/dev/null && break
        sleep 1
    done
fi
spec="openai-compatible:local-model@http://127.0.0.1:$PORT/v1"
config=$(mktemp)
trap 'cleanup; rm -f "$config"' EXIT

run() { # NAME ENV...
    local name=$1
    shift
    echo "== $name"
    env "$@" ERRAND_CONFIG="$config" "$bin" eval --model "$spec" --tasks "$tasks" \
        --timeout-s "$TIMEOUT_S" --out "$out/local-$name.json" || true
}
run before ERRAND_TOOLS=all ERRAND_PROMPT_RULES=none
run after ERRAND_TOOLS=lean

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
PY
