#!/usr/bin/env bash
# Regenerates crates/errand-cli/hot-functions.txt: the functions a release `errand` runs in
# its common work, which the release link places side by side at the start of the code
# (crates/errand-cli/build.rs). Why: the kernel maps the executable's code into a process
# in whole page-cache blocks around each piece of code touched, so code spread over the
# 30+ MB binary costs many times its size in resident memory; packed together it costs
# about its size. Not a benchmark and not a test: run it after a toolchain or dependency
# upgrade (symbol names carry hashes that change with them; a stale list is harmless,
# just less useful), and after larger code changes: functions the compiler made local carry
# a `.llvm.NUMBER` suffix that changes with the code around them (at one commit 137 of 3,319
# names had moved on, and the 3-turn task's peak memory rose from ~10 to ~14 MB). Then
# measure with bench/vs-peers.sh.
#
#   bench/hot-functions.sh            build, record the workloads below, write the list
#
# Workloads, each under valgrind's callgrind (every executed function is recorded, not a
# sample): the 3-turn "read, write, finish" task through bench/peers_server.py, the same
# organize recipe offline, `errand show`, `errand --help`, and `errand skills --json`.
# Needs valgrind and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind > /dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 2; }
cargo build --release -q -p errand
ERRAND=$PWD/target/release/errand
OUT=crates/errand-cli/hot-functions.txt
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

python3 bench/peers_server.py serve --root "$WORK" --log "$WORK/requests.jsonl" \
    > "$WORK/port" 2> "$WORK/server.err" &
SERVER_PID=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
PORT=$(head -1 "$WORK/port")
[ -n "$PORT" ] || { echo "peers_server did not start: $(cat "$WORK/server.err")" >&2; exit 1; }

n=0
# record ARGS...: one errand command under callgrind, in a fresh folder and home.
record() {
    n=$((n + 1))
    local dir=$WORK/run-$n
    mkdir -p "$dir/folder" "$dir/home"
    printf 'Team sync\n- The report ships on Friday.\n- Budget review moves to Tuesday.\n' \
        > "$dir/folder/notes.txt"
    (cd "$dir/folder" && env -i PATH="$PATH" LANG=C.UTF-8 HOME="$dir/home" \
        ERRAND_HOME="$dir/home/errand" ERRAND_CONFIG="$dir/home/none.toml" \
        valgrind --tool=callgrind --demangle=no --dump-instr=no --trace-children=no \
        --callgrind-out-file="$WORK/cg-$n.%p" "$ERRAND" "$@" \
        < /dev/null > "$dir/out" 2>&1) || true
}
TASK="Read notes.txt and write a three-bullet summary to summary.md"
record run "$TASK" --folder . --mode auto --model "openai-compatible:local-model@http://127.0.0.1:$PORT/v1"
record run "organize this folder by type and date" --folder . --mode auto
record --help
record skills --json
# `show` of a task: the offline run above left one in its home.
last=$WORK/run-2/home/errand
id=$(env -i PATH="$PATH" HOME="$WORK/run-2/home" ERRAND_HOME="$last" ERRAND_CONFIG=/dev/null \
    "$ERRAND" --json tasks 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])' 2>/dev/null || true)
[ -n "$id" ] && (env -i PATH="$PATH" HOME="$WORK/run-2/home" ERRAND_HOME="$last" ERRAND_CONFIG=/dev/null \
    valgrind --tool=callgrind --demangle=no --dump-instr=no --callgrind-out-file="$WORK/cg-show.%p" \
    "$ERRAND" show "$id" > /dev/null 2>&1 || true)

# Every function of the errand executable that ran, in the order first seen, once.
python3 - "$WORK" "$ERRAND" "$OUT" <<'EOF'
import glob, os, re, sys
work, binary, out = sys.argv[1], os.path.realpath(sys.argv[2]), sys.argv[3]
seen, names = set(), []
for path in sorted(glob.glob(os.path.join(work, "cg-*"))):
    objects, fns, current_ob = {}, {}, None
    for line in open(path, errors="replace"):
        m = re.match(r"^(c?ob)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
        if m:
            key, ob_id, name = m.groups()
            if name:
                objects[ob_id] = name
            if key == "ob":
                current_ob = objects.get(ob_id)
            continue
        # Names are given once, at first mention, which may be as a callee (cfn=).
        m = re.match(r"^(c?fn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
        if m:
            key, fn_id, name = m.groups()
            if name:
                fns[fn_id] = name
            # callgrind marks a recursion's inner levels as NAME'2, NAME'3...
            name = re.sub(r"'\d+$", "", fns.get(fn_id) or "")
            # "(below main)" and bare addresses are not symbols the linker can place.
            if key != "fn" or name.startswith("(") or name.startswith("0x"):
                continue
            if name and current_ob and os.path.realpath(current_ob) == binary and name not in seen:
                seen.add(name)
                names.append(name)
with open(out + ".tmp", "w") as f:
    f.write("\n".join(names) + "\n")
os.replace(out + ".tmp", out)
print(f"{len(names)} functions from {len(glob.glob(os.path.join(work, 'cg-*')))} recordings -> {out}")
EOF
