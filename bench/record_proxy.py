"""A recording proxy for OpenAI-compatible chat completions.

Errand talks to it as to the real server; it forwards each request to UPSTREAM, streams the
answer back unchanged, and saves both: DIR/NN.request.json (what Errand sent) and DIR/NN.sse
(the server's raw stream, byte for byte). The tests replay the .sse files in order through a
loopback server (crates/errand-cli/tests/local_models.rs), so a real model's quirks stay
covered without a model in CI.

    python3 record_proxy.py --upstream http://127.0.0.1:8090 --port 8091 --out DIR
"""
import argparse
import http.server
import json
import os
import urllib.error
import urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("--upstream", required=True)
ap.add_argument("--port", type=int, default=8091)
ap.add_argument("--out", required=True)
args = ap.parse_args()
os.makedirs(args.out, exist_ok=True)
count = [0]


class Proxy(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def forward(self, body):
        request = urllib.request.Request(
            args.upstream.rstrip("/") + self.path,
            data=body,
            method=self.command,
            headers={k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")},
        )
        try:
            return urllib.request.urlopen(request, timeout=3600)
        except urllib.error.HTTPError as e:
            return e

    def do_GET(self):
        upstream = self.forward(None)
        data = upstream.read()
        self.send_response(upstream.status)
        self.send_header("content-type", upstream.headers.get("content-type", "application/json"))
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        n = count[0]
        count[0] += 1
        with open(os.path.join(args.out, f"{n:02}.request.json"), "wb") as f:
            f.write(json.dumps(json.loads(body), indent=1).encode())
        upstream = self.forward(body)
        self.send_response(upstream.status)
        self.send_header("content-type", upstream.headers.get("content-type", "text/event-stream"))
        self.send_header("connection", "close")
        self.end_headers()
        with open(os.path.join(args.out, f"{n:02}.sse"), "wb") as saved:
            while True:
                chunk = upstream.read1(65536) if hasattr(upstream, "read1") else upstream.read(65536)
                if not chunk:
                    break
                saved.write(chunk)
                self.wfile.write(chunk)
                self.wfile.flush()


http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Proxy).serve_forever()
