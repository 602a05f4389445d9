"""What every browser test needs: a real `errand serve` in a scratch home, a Chromium page
signed in to it, scripted models, and a few waits. No network, no pytest."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import expect

TOKEN = "testtoken"
WAIT = 20_000  # ms: the longest any single wait may take
expect.set_options(timeout=WAIT)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def errand_bin():
    b = os.environ.get("ERRAND_BIN")
    if not b or not Path(b).exists():
        raise SystemExit("set ERRAND_BIN to the errand binary (e.g. target/debug/errand)")
    return str(Path(b).resolve())


class Server:
    """`errand serve --port 0` in its own scratch home; stop() always kills it."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.home = tmp / "home"
        self.work = tmp / "work"
        self.config = tmp / "config.toml"
        self.home.mkdir(parents=True, exist_ok=True)
        self.work.mkdir(parents=True, exist_ok=True)
        self.config.write_text(f'[serve]\nroots = ["{self.work}"]\n')
        self.log_path = tmp / "serve.log"
        self.proc = None
        self.url = None
        self.base = None

    def env(self):
        env = {k: v for k, v in os.environ.items()
               if k not in ("ERRAND_MODEL", "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "http_proxy", "https_proxy")}
        env.update(ERRAND_HOME=str(self.home), ERRAND_CONFIG=str(self.config),
                   ERRAND_SERVE_TOKEN=TOKEN, HOME=str(self.work), NO_COLOR="1")
        return env

    def start(self, port=0):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([errand_bin(), "serve", "--port", str(port)], env=self.env(),
                                     stdout=subprocess.PIPE, stderr=self.log, stdin=subprocess.DEVNULL)
        line = {}

        def first_line():
            line["text"] = self.proc.stdout.readline().decode("utf-8", "replace").strip()
            # keep draining so the server never blocks on a full pipe
            for rest in self.proc.stdout:
                self.log.write(b"stdout: " + rest)

        threading.Thread(target=first_line, daemon=True).start()
        deadline = time.time() + 20
        while "text" not in line and time.time() < deadline and self.proc.poll() is None:
            time.sleep(0.05)
        url = line.get("text", "")
        if not re.match(r"^https?://[^/]+/\?token=", url):
            raise AssertionError(f"errand serve printed no URL first (got {url!r}); log:\n{self.log_tail()}")
        self.url = url
        self.base = url.split("/?", 1)[0]
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if getattr(self, "log", None):
            self.log.close()

    def log_tail(self, n=40):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    # --- the API, as a script would call it (Bearer token) ---
    def api(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {TOKEN}")
        req.add_header("Origin", self.base)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=20) as r:
                raw = r.read()
                return r.status, (json.loads(raw) if raw else {})
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                return e.code, json.loads(raw)
            except ValueError:
                return e.code, {"raw": raw.decode("utf-8", "replace")}

    def task(self, tid):
        status, data = self.api("GET", f"/api/tasks/{tid}")
        assert status == 200, (status, data)
        return data

    def wait_task(self, tid, what, ready, timeout=20):
        deadline = time.time() + timeout
        data = None
        while time.time() < deadline:
            data = self.task(tid)
            if ready(data):
                return data
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}; task: {json.dumps(data)[:1500]}")

    def create(self, outcome, folder, model, mode="auto", writable=True):
        status, data = self.api("POST", "/api/tasks", {
            "outcome": outcome, "folders": [{"path": str(folder), "writable": writable}],
            "mode": mode, "model": model})
        assert status == 201, (status, data)
        return data["id"]

    def event_seqs(self, tid, timeout=10):
        """Every event seq of the task, read from its SSE stream up to the task's last_seq."""
        last = self.task(tid)["task"]["last_seq"]
        req = urllib.request.Request(f"{self.base}/api/tasks/{tid}/events")
        req.add_header("Authorization", f"Bearer {TOKEN}")
        req.add_header("Accept", "text/event-stream")
        seqs = []
        with urllib.request.urlopen(req, timeout=timeout) as r:
            for raw in r:
                line = raw.decode("utf-8", "replace").rstrip("\n")
                if line.startswith("data:"):
                    ev = json.loads(line[5:].strip())
                    if "seq" in ev:
                        seqs.append(ev["seq"])
                        if ev["seq"] >= last:
                            break
        return seqs

    # --- scratch files ---
    def folder(self, name, files=None):
        d = self.work / name
        d.mkdir(parents=True, exist_ok=True)
        for rel, content in (files or {}).items():
            p = d / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(content)
        return d

    def script(self, name, turns, subagents=None, reads_images=False):
        body = {"turns": turns}
        if reads_images:
            body["reads_images"] = True
        if subagents is not None:
            body["subagents"] = [{"turns": t} for t in subagents]
        p = self.tmp / "scripts" / name
        p.parent.mkdir(exist_ok=True)
        p.write_text(json.dumps(body))
        return f"scripted:{p}"


class Test:
    """One test's world: its server, its browser context, its pages; close() undoes it all."""

    def __init__(self, browser, name):
        self.name = name
        self.tmp = Path(tempfile.mkdtemp(prefix=f"errand-ui-{name}-"))
        self.server = Server(self.tmp).start()
        self.browser = browser
        self.context = browser.new_context(viewport=DESKTOP)
        ui = os.environ.get("ERRAND_UI_DIR")
        if ui:  # for working on the UI: the files on disk, with the server's own headers (CSP)
            def from_disk(name):
                return lambda route: route.fulfill(response=route.fetch(), body=(Path(ui) / name).read_text())
            for name, url in (("index.html", "**/"), ("app.js", "**/app.js"), ("style.css", "**/style.css")):
                self.context.route(url, from_disk(name))
        self.errors = []
        self.pages = []

    def page(self, path="/"):
        page = self.context.new_page()
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("console", lambda m: m.type == "error" and "Content Security Policy" in m.text
                and self.errors.append(f"CSP: {m.text}"))
        page.goto(self.server.url)  # sets the session cookie and redirects to /
        if path != "/":
            page.goto(self.server.base + path)
        self.pages.append(page)
        return page

    def open_task(self, page, tid):
        page.goto(f"{self.server.base}/#/task/{tid}")
        expect(page.get_by_test_id("outcome")).not_to_be_empty()

    def shot(self, page, name):
        """NAME.png: the window as it is; NAME-full.png: the whole page from its top."""
        out = os.environ.get("ERRAND_SCREENSHOTS")
        if not out:
            return
        Path(out).mkdir(parents=True, exist_ok=True)
        page.wait_for_timeout(150)
        page.screenshot(path=str(Path(out) / f"{name}.png"))
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(50)
        page.screenshot(path=str(Path(out) / f"{name}-full.png"), full_page=True)

    def close(self, failed):
        try:
            self.context.close()
        except Exception:
            pass
        self.server.stop()
        if failed:
            print(f"  server log ({self.server.log_path}):\n" + self.server.log_tail())
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def check_no_errors(self):
        assert not self.errors, "\n".join(self.errors)


# --- UI actions and waits shared by tests ---

def new_task_ui(t, page, outcome, folder, model, mode="ask", writable=True):
    """Fills and submits the new-task form; returns the task id from the address."""
    page.goto(t.server.base + "/#/new")
    page.get_by_test_id("outcome").fill(outcome)
    page.get_by_test_id("folder-path").fill(str(folder))
    page.get_by_test_id("folder-add").click()
    expect(page.get_by_test_id("chosen-folder")).to_have_count(1)
    if not writable:
        page.get_by_test_id("folder-writable").uncheck()
    page.get_by_test_id("mode").select_option(mode)
    page.get_by_test_id("model").fill(model)
    page.get_by_test_id("start").click()
    page.wait_for_url(re.compile(r"#/task/"), timeout=WAIT)
    tid = page.url.split("#/task/", 1)[1]
    expect(page.get_by_test_id("outcome")).to_have_text(outcome)
    return tid


def pending_approval(page):
    return page.locator("[data-testid=approval]:not([data-resolved])").first


def answer_next(page, button="allow-once", check=None):
    """Waits for the next unanswered approval, runs `check(card)`, clicks `button`."""
    card = pending_approval(page)
    expect(card).to_be_visible()
    call_id = card.get_attribute("data-call-id")
    if check:
        check(card)
    card.get_by_test_id(button).click()
    done = page.locator(f"[data-testid=approval][data-call-id='{call_id}']")
    expect(done).to_have_attribute("data-resolved", re.compile("allowed|denied|answered"))
    return call_id


def wait_state(page, state):
    expect(page.get_by_test_id("state")).to_have_attribute("data-state", state)


def feed_seqs(page):
    return page.eval_on_selector_all("[data-testid=activity] [data-seq]", "els => els.map(e => Number(e.dataset.seq))")
