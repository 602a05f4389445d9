"""The measurements behind bench/serve.sh (see there). Seeds stores straight through
SQLite after `errand tasks` has made and migrated them, starts `errand serve`, and
measures from a real Chromium page and a plain HTTP client."""

import http.client
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ERRAND = os.environ["ERRAND_BIN"]
TOKEN = "benchtoken"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def store(root: Path, tasks: int, folder: Path) -> dict:
    """A data folder holding `tasks` finished tasks (and one paused one, to steer)."""
    home = root / f"home-{tasks}"
    env = dict(os.environ, ERRAND_HOME=str(home), ERRAND_CONFIG=str(root / "config.toml"),
               HOME=str(root))
    subprocess.run([ERRAND, "tasks"], env=env, check=True, capture_output=True)
    db = sqlite3.connect(home / "errand.db")
    now = int(time.time() * 1000) - tasks * 1000
    grants = [{"name": folder.name, "path": str(folder), "writable": True}]
    rows, events = [], []
    for n in range(tasks + 1):
        task_id = f"bench{n:07d}"
        state = "paused" if n == tasks else "done"
        outcome = f"weekly report {n} for the {['north', 'south', 'east', 'west'][n % 4]} team"
        at = now + n * 1000
        rows.append((task_id, outcome, state, at, at + 500))
        created = {"type": "task_created", "outcome": outcome, "grants": grants, "mode": "auto",
                   "model": "offline"}
        changed = {"type": "state_changed", "state": state}
        events.append((task_id, 1, at, "task_created", json.dumps(created)))
        events.append((task_id, 2, at + 500, "state_changed", json.dumps(changed)))
    db.executemany("INSERT INTO tasks (id, outcome, state, created_at, updated_at) VALUES (?,?,?,?,?)", rows)
    db.executemany("INSERT INTO events (task_id, seq, at, kind, body) VALUES (?,?,?,?,?)", events)
    db.commit()
    db.close()
    return env


class Server:
    def __init__(self, env):
        self.proc = subprocess.Popen([ERRAND, "serve", "--port", "0"], env=dict(env, ERRAND_SERVE_TOKEN=TOKEN),
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.url = self.proc.stdout.readline().strip()
        self.port = int(self.url.split(":")[2].split("/")[0])
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port)

    def request(self, method, path, body=None):
        headers = {"Authorization": f"Bearer {TOKEN}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(body)
        self.conn.request(method, path, body=body, headers=headers)
        reply = self.conn.getresponse()
        data = reply.read()
        assert reply.status < 300, (reply.status, data)
        return json.loads(data)

    def rss_kb(self):
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def wait_count(page, n, timeout=60):
    """Polls from outside: the page's policy forbids the eval wait_for_function needs."""
    deadline = time.time() + timeout
    while page.evaluate("window.__lat.length") < n:
        assert time.time() < deadline, f"only {page.evaluate('window.__lat.length')} of {n} events came"
        time.sleep(0.1)


def timed(server, path, runs=100):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        server.request("GET", path)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main():
    root = Path(tempfile.mkdtemp(prefix="errand-bench-"))
    folder = root / "work"
    folder.mkdir()
    (root / "config.toml").write_text(f'[serve]\nroots = ["{root}"]\n')
    empty_env = store(root, 0, folder)
    small_env = store(root, 1000, folder)
    big_env = store(root, 10000, folder)

    # Idle memory: an empty store against 1,000 tasks, each server asked for its list once.
    rss = {}
    for name, env in [("empty", empty_env), ("1,000 tasks", small_env)]:
        server = Server(env)
        server.request("GET", "/api/tasks")
        time.sleep(3)
        rss[name] = server.rss_kb()
        server.stop()
    print(f"idle RSS: {rss['1,000 tasks'] / 1024:.1f} MB with 1,000 tasks "
          f"({rss['empty'] / 1024:.1f} MB with none; ratio {rss['1,000 tasks'] / rss['empty']:.2f})")

    # The task list: 10,000 tasks against 1,000, same requests.
    for_pages = {}
    for name, env in [("1,000", small_env), ("10,000", big_env)]:
        server = Server(env)
        for_pages[name] = {
            "newest": timed(server, "/api/tasks?limit=50"),
            "deep": timed(server, "/api/tasks?limit=50&offset=900"),
            "search": timed(server, "/api/tasks?limit=50&q=south"),
        }
        server.stop()
    for kind in ["newest", "deep", "search"]:
        big, small = for_pages["10,000"][kind], for_pages["1,000"][kind]
        print(f"task list, {kind:6}: {big[0]:.2f} ms median, {big[1]:.2f} ms p95 with 10,000 tasks "
              f"({small[0]:.2f} ms with 1,000; ratio {big[0] / small[0]:.2f})")

    server = Server(small_env)
    paused = "bench0001000"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        transferred = []
        cdp.on("Network.loadingFinished", lambda e: transferred.append(e["encodedDataLength"]))
        cdp.on("Network.dataReceived", lambda e: None)
        page.goto(server.url)
        page.wait_for_selector("[data-testid=task-row]", timeout=20000)
        time.sleep(2)
        print(f"first page load: {sum(transferred) / 1024:.1f} KB transferred in {len(transferred)} "
              f"finished requests (live streams stay open and are not counted)")

        # Event latency in a page: an EventSource records Date.now() - event.at.
        page.evaluate("""([id, after]) => {
            window.__lat = [];
            const source = new EventSource(`/api/tasks/${id}/events?after=${after}`);
            source.onmessage = (m) => { const e = JSON.parse(m.data);
                if (e.type === 'user_message') window.__lat.push(Date.now() - e.at); };
        }""", [paused, 2])
        time.sleep(0.5)
        for n in range(200):
            server.request("POST", f"/api/tasks/{paused}/say", {"message": f"note {n}"})
            time.sleep(0.02)
        wait_count(page, 200)
        inproc = sorted(page.evaluate("window.__lat"))
        env = dict(small_env)
        for n in range(200):
            subprocess.run([ERRAND, "say", paused, f"cli note {n}"], env=env, check=True,
                           capture_output=True)
        wait_count(page, 400)
        outproc = sorted(page.evaluate("window.__lat")[200:])
        browser.close()
    server.stop()
    for name, lat in [("appended by the server (API say)", inproc),
                      ("appended by another process (errand say)", outproc)]:
        print(f"event to page, {name}: {statistics.median(lat):.0f} ms median, "
              f"{lat[int(len(lat) * 0.95) - 1]:.0f} ms p95, {lat[-1]:.0f} ms max (n={len(lat)})")


if __name__ == "__main__":
    sys.exit(main())
