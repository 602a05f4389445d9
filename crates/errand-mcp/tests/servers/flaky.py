#!/usr/bin/env python3
"""A small stdio MCP server (protocol 2025-11-25) that misbehaves on request, to test that a
task survives its connectors: `ok` answers, `crash` exits mid-call, `hang` never answers,
`garbage` writes a line that is not JSON-RPC and then answers; `read` and `write` touch
any path they are given; `fetch` gets a URL (through HTTP_PROXY when set). Standard library
only."""
import json
import sys
import time

TOOLS = [
    {"name": name, "description": about, "inputSchema": {"type": "object", "properties": {}},
     "annotations": {"readOnlyHint": True}}
    for name, about in [("ok", "answers"), ("crash", "exits mid-call"),
                        ("hang", "never answers"), ("garbage", "prints garbage first")]
] + [
    # A server that reads and writes whatever path it is told: only a sandbox stops it.
    {"name": "read", "description": "reads any file", "annotations": {"readOnlyHint": True},
     "inputSchema": {"type": "object", "properties": {"path": {"type": "string"}}}},
    {"name": "write", "description": "writes any file", "annotations": {"readOnlyHint": False},
     "inputSchema": {"type": "object", "properties": {"path": {"type": "string"}, "content": {"type": "string"}}}},
    # A long answer: 5,000 numbered lines (55,000 characters).
    {"name": "big", "description": "answers at length", "annotations": {"readOnlyHint": True},
     "inputSchema": {"type": "object", "properties": {}}},
    # Asks the person (elicitation) which city, and answers with what came back.
    {"name": "ask", "description": "asks the person a question", "annotations": {"readOnlyHint": True},
     "inputSchema": {"type": "object", "properties": {}}},
    # Gets a URL, through the proxy the environment names (a confined server's allowlist).
    {"name": "fetch", "description": "gets a URL", "annotations": {"readOnlyHint": True},
     "inputSchema": {"type": "object", "properties": {"url": {"type": "string"}}}},
    # Acts slowly: appends a line to `path` after `seconds` (a crash can come in between).
    {"name": "slow_append", "description": "appends a line after a while", "annotations": {"readOnlyHint": False},
     "inputSchema": {"type": "object", "properties": {"path": {"type": "string"}, "seconds": {"type": "number"}}}},
]


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    try:
        request = json.loads(line)
    except ValueError:
        continue
    method, rid = request.get("method"), request.get("id")
    if rid is None:
        continue  # a notification
    if method == "initialize":
        send({"jsonrpc": "2.0", "id": rid, "result": {
            "protocolVersion": "2025-11-25", "capabilities": {"tools": {}},
            "serverInfo": {"name": "flaky", "version": "1.0.0"}}})
    elif method == "tools/list":
        send({"jsonrpc": "2.0", "id": rid, "result": {"tools": TOOLS}})
    elif method == "tools/call":
        name = request["params"]["name"]
        if name == "crash":
            sys.stderr.write("flaky: crashing on purpose\n")
            sys.stderr.flush()
            sys.exit(3)
        if name == "hang":
            time.sleep(3600)
        if name == "big":
            text = "".join(f"line {i:05d}\n" for i in range(5000))
            send({"jsonrpc": "2.0", "id": rid, "result": {"content": [{"type": "text", "text": text}]}})
            continue
        if name == "ask":
            send({"jsonrpc": "2.0", "id": "ask-1", "method": "elicitation/create", "params": {
                "message": "Which city is the offsite in?",
                "requestedSchema": {"type": "object", "properties": {"city": {"type": "string"}},
                                    "required": ["city"]}}})
            while True:
                reply = json.loads(sys.stdin.readline() or "{}")
                if reply.get("id") == "ask-1" or not reply:
                    break
            result = reply.get("result", {})
            text = f"{result.get('action')}: {json.dumps(result.get('content'))}"
            send({"jsonrpc": "2.0", "id": rid, "result": {"content": [{"type": "text", "text": text}]}})
            continue
        if name == "slow_append":
            args = request["params"].get("arguments") or {}
            time.sleep(float(args.get("seconds", 1)))
            with open(args["path"], "a") as f:
                f.write("appended\n")
            try:
                send({"jsonrpc": "2.0", "id": rid, "result": {"content": [{"type": "text", "text": "appended"}]}})
            except BrokenPipeError:
                sys.exit(0)
            continue
        if name in ("read", "write"):
            args = request["params"].get("arguments") or {}
            try:
                if name == "read":
                    with open(args["path"]) as f:
                        text = f.read()
                else:
                    with open(args["path"], "w") as f:
                        f.write(args.get("content", ""))
                    text = "written"
                send({"jsonrpc": "2.0", "id": rid, "result": {"content": [{"type": "text", "text": text}]}})
            except OSError as e:
                send({"jsonrpc": "2.0", "id": rid, "result": {
                    "content": [{"type": "text", "text": f"{type(e).__name__}: {e}"}], "isError": True}})
            continue
        if name == "fetch":
            import urllib.request
            try:
                with urllib.request.urlopen(request["params"]["arguments"]["url"], timeout=10) as r:
                    body = r.read().decode("utf-8", "replace")
                send({"jsonrpc": "2.0", "id": rid, "result": {"content": [{"type": "text", "text": body}]}})
            except Exception as e:
                send({"jsonrpc": "2.0", "id": rid, "result": {
                    "content": [{"type": "text", "text": f"{type(e).__name__}: {e}"}], "isError": True}})
            continue
        if name == "garbage":
            sys.stdout.write("this is not JSON-RPC\n")
            sys.stdout.flush()
        send({"jsonrpc": "2.0", "id": rid, "result": {"content": [{"type": "text", "text": f"{name} answered"}]}})
    else:
        send({"jsonrpc": "2.0", "id": rid, "error": {"code": -32601, "message": f"unknown method {method}"}})
