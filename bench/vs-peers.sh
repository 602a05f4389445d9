#!/usr/bin/env bash
# Benchmark (not a test): Errand against two peer agents, Codex CLI and Claude Code, on the
# same 3-turn task — "Read notes.txt and write a three-bullet summary to summary.md" in a
# folder holding a short notes.txt. Each agent is pointed at one loopback server
# (bench/peers_server.py) that plays the model in that agent's own API format (Errand: OpenAI
# chat completions; Codex: the Responses API; Claude Code: Anthropic Messages) and scripts the
# same steps: read notes.txt, write summary.md with three bullets, end. Reported per agent:
#   - input tokens sent, in total over the task, estimated by ONE rule for all three: request
#     body bytes / 4 (side requests included), and the number of requests;
#   - wall time of the whole command, from launch to exit (the model answers at once);
#   - peak memory: max RSS of the largest process in the tree (GNU time -v);
#   - whether summary.md was really written, by the agent's own tools;
# then Errand / best peer for each, against the targets: ≤ 1/5 of the tokens and the wall
# time, ≤ 1/10 of the memory (printed as met or not; a miss does not fail the script).
#
#   bench/vs-peers.sh [RUNS]      RUNS defaults to 3; the table shows medians
#
# ERRAND_BIN overrides the Errand binary (default target/release/errand, built if missing).
# PEERS_DIR reuses an npm folder holding @openai/codex and @anthropic-ai/claude-code; without
# it they are installed into a temp folder (CODEX_VERSION, CLAUDE_VERSION pin the versions).
# No network is needed beyond that install: every agent runs with a scrubbed environment and
# a temp home, telemetry and update checks off. Codex runs its native binary (not the node
# launcher, whose memory would count against it) with model "local-model" for all three —
# for Codex an unknown name, so it sends its generic prompt and tools rather than its
# default model's "code mode" prompt, which is larger.
#
# Needs python3, node/npm, GNU time at /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
TASK="Read notes.txt and write a three-bullet summary to summary.md"
CODEX_VERSION=${CODEX_VERSION:-0.171.0}
CLAUDE_VERSION=${CLAUDE_VERSION:-2.1.197}

if [ -n "${ERRAND_BIN:-}" ]; then
    ERRAND=$ERRAND_BIN
else
    [ -x target/release/errand ] || cargo build --release -q -p errand
    ERRAND=$PWD/target/release/errand
fi
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
RUNS_FILE=$WORK/runs.jsonl
: > "$RUNS_FILE"

# The peers, installed (or reused from PEERS_DIR).
CODEX= CLAUDE= PEER_ERROR=
PEERS=${PEERS_DIR:-$WORK/peers}
if [ -z "${PEERS_DIR:-}" ]; then
    mkdir -p "$PEERS"
    echo "installing @openai/codex@$CODEX_VERSION and @anthropic-ai/claude-code@$CLAUDE_VERSION into $PEERS" >&2
    if ! npm install --prefix "$PEERS" --no-audit --no-fund --loglevel=error \
        "@openai/codex@$CODEX_VERSION" "@anthropic-ai/claude-code@$CLAUDE_VERSION" > "$WORK/npm.log" 2>&1; then
        PEER_ERROR="npm install failed ($(tail -1 "$WORK/npm.log" | tr -d '"\\'))"
    fi
fi
# Codex's npm launcher is a node script that starts this native binary; run it directly.
CODEX=$(ls "$PEERS"/node_modules/@openai/codex-*/vendor/*/bin/codex 2>/dev/null | head -1 || true)
[ -n "$CODEX" ] || CODEX=$PEERS/node_modules/.bin/codex
CLAUDE=$PEERS/node_modules/.bin/claude

# The server: its port is the first line it prints.
python3 bench/peers_server.py serve --root "$WORK" --log "$WORK/requests.jsonl" \
    > "$WORK/port" 2> "$WORK/server.err" &
SERVER_PID=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
PORT=$(head -1 "$WORK/port")
[ -n "$PORT" ] || { echo "peers_server did not start: $(cat "$WORK/server.err")" >&2; exit 1; }
URL=http://127.0.0.1:$PORT

# A clean environment for every agent: no keys, proxies or config from this shell.
CLEAN=(env -i PATH="$PATH" LANG=C.UTF-8 SHELL=/bin/bash TERM=dumb)

# measure AGENT RUN DIR HOME COMMAND...: runs COMMAND in DIR under GNU time, appends a line
# to the runs file.
measure() {
    local agent=$1 run=$2 dir=$3 home=$4; shift 4
    local start end code=0
    start=$(date +%s.%N)
    (cd "$dir" && /usr/bin/time -v -o "$home.time" timeout 90 "$@" < /dev/null > "$home.out" 2>&1) || code=$?
    end=$(date +%s.%N)
    local rss written=false
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$home.time")
    grep -q '^- ' "$dir/summary.md" 2>/dev/null && [ "$(grep -c '^- ' "$dir/summary.md")" -eq 3 ] && written=true
    if [ "$written" != true ]; then
        echo "$agent run $run: summary.md not written (exit $code); output:" >&2
        tail -5 "$home.out" >&2
    fi
    printf '{"agent":"%s","run":%d,"start":%s,"end":%s,"wall":%s,"rss_kb":%s,"exit":%d,"written":%s}\n' \
        "$agent" "$run" "$start" "$end" "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')" "${rss:-0}" "$code" "$written" \
        >> "$RUNS_FILE"
}

# fresh AGENT RUN: a new folder with notes.txt and a new home; prints "DIR HOME".
fresh() {
    local dir=$WORK/$1-$2
    mkdir -p "$dir/folder" "$dir/home"
    cat > "$dir/folder/notes.txt" <<'EOF'
Team sync, 3 June
- The quarterly report ships on Friday; Ana finishes the charts on Thursday.
- Budget review moves to next Tuesday because finance is out this week.
- Maria owns the customer follow-ups and sends notes to everyone by Wednesday.
- Open question: whether the offsite stays in October.
EOF
    echo "$dir/folder $dir/home"
}

run_errand() {
    local dir home; read -r dir home < <(fresh errand "$1")
    measure errand "$1" "$dir" "$home" "${CLEAN[@]}" HOME="$home" ERRAND_HOME="$home/errand" \
        ERRAND_CONFIG="$home/none.toml" \
        "$ERRAND" run "$TASK" --folder "$dir" --mode auto --model "openai-compatible:local-model@$URL/v1"
}

run_codex() {
    local dir home; read -r dir home < <(fresh codex "$1")
    cat > "$home/config.toml" <<EOF
model = "local-model"
model_provider = "loopback"
check_for_update_on_startup = false
[model_providers.loopback]
name = "loopback"
base_url = "$URL/v1"
wire_api = "responses"
env_key = "LOOPBACK_API_KEY"
[analytics]
enabled = false
[feedback]
enabled = false
[otel]
exporter = "none"
EOF
    measure codex "$1" "$dir" "$home" "${CLEAN[@]}" HOME="$home" CODEX_HOME="$home" LOOPBACK_API_KEY=loopback \
        CODEX_MANAGED_BY_NPM=1 \
        "$CODEX" exec --strict-config --skip-git-repo-check --dangerously-bypass-approvals-and-sandbox \
        -C "$dir" "$TASK"
}

run_claude() {
    local dir home; read -r dir home < <(fresh claude "$1")
    # IS_SANDBOX=1: Claude Code refuses --dangerously-skip-permissions as root without it.
    measure claude "$1" "$dir" "$home" "${CLEAN[@]}" HOME="$home" ANTHROPIC_BASE_URL="$URL" \
        ANTHROPIC_API_KEY=sk-ant-loopback DISABLE_TELEMETRY=1 CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 \
        DISABLE_AUTOUPDATER=1 DISABLE_ERROR_REPORTING=1 IS_SANDBOX=1 \
        "$CLAUDE" -p "$TASK" --dangerously-skip-permissions --model local-model
}

# Interleaved, so a slow moment of the machine falls on all three.
echo "errand: $("$ERRAND" --version 2>&1 | head -1) ($ERRAND)" >&2
for agent in codex claude; do
    bin=$CODEX; [ $agent = claude ] && bin=$CLAUDE
    if [ -z "$PEER_ERROR" ] && [ -x "$bin" ]; then
        echo "$agent: $("${CLEAN[@]}" HOME="$WORK" "$bin" --version 2>/dev/null | head -1) ($bin)" >&2
    fi
done
for r in $(seq "$RUNS"); do
    run_errand "$r"
    for agent in codex claude; do
        bin=$CODEX; [ $agent = claude ] && bin=$CLAUDE
        if [ -n "$PEER_ERROR" ]; then
            printf '{"agent":"%s","error":"%s"}\n' $agent "$PEER_ERROR" >> "$RUNS_FILE"
        elif [ ! -x "$bin" ]; then
            printf '{"agent":"%s","error":"no executable at %s"}\n' $agent "$bin" >> "$RUNS_FILE"
        else
            "run_$agent" "$r"
        fi
    done
done
if [ -s "$WORK/server.err" ]; then
    echo "peers_server errors:" >&2
    tail -20 "$WORK/server.err" >&2
fi
echo >&2
python3 bench/peers_server.py report --log "$WORK/requests.jsonl" --runs "$RUNS_FILE"
