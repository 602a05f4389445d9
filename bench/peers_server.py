"""The scripted model behind bench/vs-peers.sh (see there): one loopback HTTP server that
speaks three agents' API formats and plays the same three steps for each of them.

    python3 bench/peers_server.py serve --root DIR --log FILE [--dump DIR]
        prints its port on the first line of stdout, then serves until killed; --dump keeps
        every request body (NNN-agent.json), to read an agent's format.
    python3 bench/peers_server.py report --log FILE --runs FILE
        prints the table and the ratios from the request log and the runs file that
        vs-peers.sh writes (one JSON line per run: agent, start, end, wall, rss_kb, written).

The formats, told apart by path:
    Errand: POST /v1/chat/completions (OpenAI chat completions, streamed or not); tools
        read_file, write_file, finish. Its probes of GET /props and /v1/models get 404.
    Codex:  POST /v1/responses (the Responses API, streamed as response.created,
        response.output_item.added/done, response.completed with usage); the shell tool it
        offers (exec_command, shell_command, shell or local_shell; apply_patch for the write
        when offered), and a plain assistant message to end.
    Claude Code: POST /v1/messages (Anthropic Messages, streamed or not); Read and Write
        with absolute paths under the working directory its system prompt states. A request
        without Read and Write among its tools (a title, a quota check) is a side request
        and gets a short text. Its `HEAD /` preconnect gets 404.
    Anything else: 404 JSON.

The step is the number of assistant tool turns already in the request's conversation:
0 reads notes.txt, 1 writes summary.md with three bullets, 2 ends (Errand's `finish`, a
plain assistant message for the others). Every request is logged as one JSON line: agent
(by path), method, path, body bytes, input-token estimate (body bytes / 4, one rule for
all three, also reported back to the client as its usage), whether it drove the task or
was a side request or probe, the step played, the model asked for."""

import json
import os
import re
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SUMMARY = ("- The quarterly report ships on Friday; Ana finishes the charts on Thursday.\n"
           "- The budget review moves to next Tuesday, as finance is out this week.\n"
           "- Maria sends the customer follow-ups by Wednesday; the October offsite is still open.\n")
DONE = "Wrote a three-bullet summary of notes.txt to summary.md."
AGENTS = {"/v1/chat/completions": "errand", "/v1/responses": "codex", "/v1/messages": "claude"}


def estimate(body: bytes) -> int:
    return len(body) // 4


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    root = "."
    log_file = None
    dump_dir = None
    counter = 0

    def log_message(self, *args):
        pass

    # --- plumbing -------------------------------------------------------------------------
    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _json(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _sse_start(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def _sse(self, data, event=None):
        out = (f"event: {event}\n" if event else "") + f"data: {data if isinstance(data, str) else json.dumps(data)}\n\n"
        self.wfile.write(out.encode())
        self.wfile.flush()

    def _log(self, **entry):
        entry["t"] = self.arrived
        with open(self.log_file, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def _dump(self, agent, body):
        if self.dump_dir:
            Handler.counter += 1
            name = f"{Handler.counter:03d}-{agent}.json"
            with open(os.path.join(self.dump_dir, name), "wb") as f:
                f.write(body)

    def do_GET(self):
        self.arrived = time.time()
        self._body()
        self._log(agent="probe", method="GET", path=self.path, bytes=0, tokens=0, kind="probe")
        self._json(404, {"error": {"message": f"no {self.path} here", "type": "not_found"}})

    def do_HEAD(self):
        self.arrived = time.time()
        # Claude Code opens its connection with `HEAD /`.
        self._log(agent="probe", method="HEAD", path=self.path, bytes=0, tokens=0, kind="probe")
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        self.arrived = time.time()
        body = self._body()
        path = self.path.split("?")[0].rstrip("/")
        agent = AGENTS.get(path)
        self._dump(agent or "other", body)
        if agent is None:
            self._log(agent="other", method="POST", path=self.path, bytes=len(body),
                      tokens=estimate(body), kind="unknown")
            return self._json(404, {"error": {"message": f"no {self.path} here", "type": "not_found"}})
        req = json.loads(body or b"{}")
        tokens = estimate(body)
        kind, step = getattr(self, "_" + agent)(req, tokens)
        self._log(agent=agent, method="POST", path=self.path, bytes=len(body), tokens=tokens,
                  kind=kind, step=step, model=req.get("model"))

    # --- Errand: OpenAI chat completions ----------------------------------------------------
    def _errand(self, req, tokens):
        tools = [t.get("function", {}).get("name") for t in req.get("tools") or []]
        step = sum(1 for m in req.get("messages", []) if m.get("role") == "assistant" and m.get("tool_calls"))
        if "read_file" not in tools:
            self._chat_reply(req, tokens, None, "OK")
            return "side", None
        calls = [("read_file", {"path": "notes.txt"}),
                 ("write_file", {"path": "summary.md", "content": SUMMARY}),
                 ("finish", {"summary": DONE, "deliverables": ["summary.md"]})]
        self._chat_reply(req, tokens, calls[min(step, 2)], None)
        return "task", step

    def _chat_reply(self, req, tokens, call, text):
        cid = "chatcmpl-" + uuid.uuid4().hex[:12]
        usage = {"prompt_tokens": tokens, "completion_tokens": 20, "total_tokens": tokens + 20}
        tool_calls = None
        if call:
            tool_calls = [{"index": 0, "id": "call_" + uuid.uuid4().hex[:12], "type": "function",
                           "function": {"name": call[0], "arguments": json.dumps(call[1])}}]
        finish = "tool_calls" if call else "stop"
        if not req.get("stream"):
            msg = {"role": "assistant", "content": text}
            if tool_calls:
                msg["tool_calls"] = [{k: v for k, v in c.items() if k != "index"} for c in tool_calls]
            return self._json(200, {"id": cid, "object": "chat.completion", "created": int(time.time()),
                                    "model": req.get("model"), "usage": usage,
                                    "choices": [{"index": 0, "message": msg, "finish_reason": finish}]})
        self._sse_start()
        base = {"id": cid, "object": "chat.completion.chunk", "created": int(time.time()), "model": req.get("model")}
        delta = {"role": "assistant"}
        if tool_calls:
            delta["tool_calls"] = tool_calls
        else:
            delta["content"] = text
        self._sse(dict(base, choices=[{"index": 0, "delta": delta, "finish_reason": None}]))
        self._sse(dict(base, choices=[{"index": 0, "delta": {}, "finish_reason": finish}]))
        self._sse(dict(base, choices=[], usage=usage))
        self._sse("[DONE]")

    # --- Codex: OpenAI Responses API --------------------------------------------------------
    def _codex(self, req, tokens):
        tools = {}
        for t in req.get("tools") or []:
            tools[t.get("name") or t.get("type")] = t
        calls = ("function_call", "custom_tool_call", "local_shell_call")
        step = sum(1 for i in req.get("input", []) if i.get("type") in calls)
        if not tools:
            self._responses_reply(req, tokens, [self._message("OK")])
            return "side", None
        if step >= 2:
            item = self._message(DONE)
        else:
            item = self._codex_call(tools, step)
        self._responses_reply(req, tokens, [item])
        return "task", step

    @staticmethod
    def _message(text):
        return {"type": "message", "id": "msg_" + uuid.uuid4().hex[:12], "role": "assistant", "status": "completed",
                "content": [{"type": "output_text", "text": text, "annotations": []}]}

    @staticmethod
    def _codex_call(tools, step):
        """Step 0 reads notes.txt, step 1 writes summary.md, with the shell tool the request
        offers (apply_patch for the write when it is there)."""
        call_id = "call_" + uuid.uuid4().hex[:12]
        fid = "fc_" + uuid.uuid4().hex[:12]
        patch = "*** Begin Patch\n*** Add File: summary.md\n" + "".join(
            "+" + line + "\n" for line in SUMMARY.splitlines()) + "*** End Patch\n"
        script = "cat notes.txt" if step == 0 else "cat > summary.md <<'EOF'\n" + SUMMARY + "EOF"
        if step == 1 and "apply_patch" in tools:
            t = tools["apply_patch"]
            if t.get("type") == "custom":
                return {"type": "custom_tool_call", "id": fid, "status": "completed", "call_id": call_id,
                        "name": "apply_patch", "input": patch}
            return {"type": "function_call", "id": fid, "status": "completed", "call_id": call_id,
                    "name": "apply_patch", "arguments": json.dumps({"input": patch})}
        if "exec_command" in tools:
            return {"type": "function_call", "id": fid, "status": "completed", "call_id": call_id,
                    "name": "exec_command", "arguments": json.dumps({"cmd": script})}
        if "shell_command" in tools:
            return {"type": "function_call", "id": fid, "status": "completed", "call_id": call_id,
                    "name": "shell_command", "arguments": json.dumps({"command": script})}
        if "shell" in tools:
            return {"type": "function_call", "id": fid, "status": "completed", "call_id": call_id,
                    "name": "shell", "arguments": json.dumps({"command": ["bash", "-lc", script]})}
        if "local_shell" in tools:
            return {"type": "local_shell_call", "id": fid, "status": "completed", "call_id": call_id,
                    "action": {"type": "exec", "command": ["bash", "-lc", script]}}
        raise RuntimeError(f"no shell tool among {sorted(tools)}")

    def _responses_reply(self, req, tokens, items):
        rid = "resp_" + uuid.uuid4().hex[:12]
        usage = {"input_tokens": tokens, "input_tokens_details": {"cached_tokens": 0},
                 "output_tokens": 20, "output_tokens_details": {"reasoning_tokens": 0},
                 "total_tokens": tokens + 20}
        resp = {"id": rid, "object": "response", "created_at": int(time.time()), "status": "in_progress",
                "model": req.get("model"), "output": []}
        self._sse_start()
        self._sse({"type": "response.created", "response": resp}, "response.created")
        for n, item in enumerate(items):
            self._sse({"type": "response.output_item.added", "output_index": n, "item": item},
                      "response.output_item.added")
            if item["type"] == "message":
                text = item["content"][0]["text"]
                self._sse({"type": "response.output_text.delta", "item_id": item["id"], "output_index": n,
                           "content_index": 0, "delta": text}, "response.output_text.delta")
            self._sse({"type": "response.output_item.done", "output_index": n, "item": item},
                      "response.output_item.done")
        done = dict(resp, status="completed", output=items, usage=usage)
        self._sse({"type": "response.completed", "response": done}, "response.completed")

    # --- Claude Code: Anthropic Messages ----------------------------------------------------
    def _claude(self, req, tokens):
        tools = [t.get("name") for t in req.get("tools") or []]
        step = sum(1 for m in req.get("messages", []) if m.get("role") == "assistant"
                   and isinstance(m.get("content"), list)
                   and any(b.get("type") == "tool_use" for b in m["content"]))
        if "Read" not in tools or "Write" not in tools:
            self._messages_reply(req, tokens, [{"type": "text", "text": "Summarize notes"}])
            return "side", None
        folder = self._claude_folder(req)
        if step == 0:
            block = self._tool_use("Read", {"file_path": os.path.join(folder, "notes.txt")})
        elif step == 1:
            block = self._tool_use("Write", {"file_path": os.path.join(folder, "summary.md"), "content": SUMMARY})
        else:
            block = {"type": "text", "text": DONE}
        self._messages_reply(req, tokens, [block])
        return "task", step

    @staticmethod
    def _tool_use(name, inp):
        return {"type": "tool_use", "id": "toolu_" + uuid.uuid4().hex[:20], "name": name, "input": inp}

    def _claude_folder(self, req):
        """The working directory Claude Code states in its system prompt ("Primary working
        directory: /…"), else ROOT/claude."""
        system = req.get("system")
        if isinstance(system, list):
            system = "\n".join(b.get("text", "") for b in system)
        found = re.search(r"(?i)working directory:\s*(/\S+)", system or "")
        return found.group(1) if found else os.path.join(self.root, "claude")

    def _messages_reply(self, req, tokens, blocks):
        mid = "msg_" + uuid.uuid4().hex[:20]
        stop = "tool_use" if any(b["type"] == "tool_use" for b in blocks) else "end_turn"
        usage = {"input_tokens": tokens, "output_tokens": 20,
                 "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
        if not req.get("stream"):
            return self._json(200, {"id": mid, "type": "message", "role": "assistant", "model": req.get("model"),
                                    "content": blocks, "stop_reason": stop, "stop_sequence": None, "usage": usage})
        self._sse_start()
        start = {"id": mid, "type": "message", "role": "assistant", "model": req.get("model"), "content": [],
                 "stop_reason": None, "stop_sequence": None, "usage": dict(usage, output_tokens=1)}
        self._sse({"type": "message_start", "message": start}, "message_start")
        for n, b in enumerate(blocks):
            if b["type"] == "text":
                self._sse({"type": "content_block_start", "index": n, "content_block": {"type": "text", "text": ""}},
                          "content_block_start")
                self._sse({"type": "content_block_delta", "index": n,
                           "delta": {"type": "text_delta", "text": b["text"]}}, "content_block_delta")
            else:
                self._sse({"type": "content_block_start", "index": n,
                           "content_block": dict(b, input={})}, "content_block_start")
                self._sse({"type": "content_block_delta", "index": n,
                           "delta": {"type": "input_json_delta", "partial_json": json.dumps(b["input"])}},
                          "content_block_delta")
            self._sse({"type": "content_block_stop", "index": n}, "content_block_stop")
        self._sse({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                   "usage": {"input_tokens": tokens, "output_tokens": 20}}, "message_delta")
        self._sse({"type": "message_stop"}, "message_stop")


def serve(args):
    Handler.root = args["--root"]
    Handler.log_file = args["--log"]
    Handler.dump_dir = args.get("--dump")
    server = ThreadingHTTPServer(("127.0.0.1", int(args.get("--port", 0))), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


NAMES = {"errand": "Errand", "codex": "Codex CLI", "claude": "Claude Code"}
TARGETS = (("tokens", "tokens", 5), ("wall", "wall", 5), ("memory", "rss_kb", 10))


def report(args):
    """One row per agent: the median over its runs of the input tokens and requests (from
    the log entries inside each run's time window), the wall time and the peak RSS; then
    Errand over the best peer that wrote summary.md in every run."""
    log = [json.loads(line) for line in open(args["--log"]) if line.strip()]
    runs = [json.loads(line) for line in open(args["--runs"]) if line.strip()]
    rows = {}
    for agent in NAMES:
        mine = [r for r in runs if r["agent"] == agent]
        failed = next((r["error"] for r in mine if r.get("error")), None)
        row = {"name": NAMES[agent], "error": failed, "runs": mine}
        if not mine:
            row["error"] = "not started"
        if row["error"] is None:
            per_run = []
            for r in mine:
                # Runs are one at a time: what arrived during one is that agent's.
                seen = [e for e in log if r["start"] <= e["t"] <= r["end"]]
                posts = [e for e in seen if e["method"] == "POST"]
                per_run.append({"tokens": sum(e["tokens"] for e in posts), "requests": len(posts),
                                "side": sum(1 for e in posts if e["kind"] != "task"), "seen": seen})
            row.update(tokens=median([p["tokens"] for p in per_run]),
                       requests=median([p["requests"] for p in per_run]),
                       side=median([p["side"] for p in per_run]),
                       wall=median([r["wall"] for r in mine]), rss_kb=median([r["rss_kb"] for r in mine]),
                       written=sum(1 for r in mine if r["written"]), first=per_run[0]["seen"])
            row["ok"] = row["written"] == len(mine)
        rows[agent] = row

    n = max((len(r["runs"]) for r in rows.values()), default=0)
    print(f"{'agent':<12} {'input tokens (≈ body bytes / 4)':>32} {'requests':>9} {'wall (s)':>9} "
          f"{'peak RSS (MB)':>14}  summary.md" + (f"   (medians of {n} runs)" if n > 1 else ""))
    for agent, row in rows.items():
        if row["error"]:
            print(f"{row['name']:<12} did not run: {row['error']}")
            continue
        written = "written" if row["ok"] else f"NOT written in {len(row['runs']) - row['written']} of {len(row['runs'])} runs"
        exits = sorted({r["exit"] for r in row["runs"] if r["exit"]})
        if exits:
            written += f" (exit {', '.join(map(str, exits))})"
        print(f"{row['name']:<12} {row['tokens']:>32,.0f} {row['requests']:>9.0f} {row['wall']:>9.2f} "
              f"{row['rss_kb'] / 1024:>14.1f}  {written}")

    print()
    for agent, row in rows.items():
        if row["error"]:
            continue
        groups = {}
        for e in row["first"]:
            groups.setdefault((e["method"], e["path"].split("?")[0], e.get("kind")), []).append(e)
        parts = []
        for (method, path, kind), es in groups.items():
            what = f"{method} {path} ×{len(es)}"
            if method != "POST" or kind == "unknown":
                what += " (404)"
            elif kind == "side":
                what += " side (not a tool turn)"
            if method == "POST":
                what += ": " + " + ".join(f"{e['tokens']:,}" for e in es)
            parts.append(what)
        model = next((e.get("model") for e in row["first"] if e.get("model")), "?")
        print(f"  {row['name']} (model {model}), first run: " + "; ".join(parts))

    print()
    me = rows["errand"]
    peers = [r for a, r in rows.items() if a != "errand" and not r["error"] and r["ok"]]
    if me["error"] or not me["ok"] or not peers:
        print("no ratios: Errand or every peer did not write summary.md")
        return
    for label, key, target in TARGETS:
        best = min(peers, key=lambda r: r[key])
        ratio = me[key] / best[key] if best[key] else float("inf")
        verdict = "met" if ratio <= 1 / target else "NOT met"
        print(f"Errand / best peer, {label + ':':<7} {ratio:6.3f}  (best peer: {best['name']}; "
              f"target ≤ 1/{target} = {1 / target:.3f}: {verdict})")


def median(values):
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def main():
    mode, rest = sys.argv[1], sys.argv[2:]
    args = dict(zip(rest[::2], rest[1::2]))
    {"serve": serve, "report": report}[mode](args)


if __name__ == "__main__":
    main()
