"""The web workspace driven in Chromium against a real `errand serve`, with scripted models.
Each test_* takes a harness.Test (its own server, home and browser context)."""

import json
import re
from pathlib import Path
import subprocess
import time

from playwright.sync_api import expect

from harness import DESKTOP, PHONE, WAIT, answer_next, errand_bin, feed_seqs, new_task_ui, pending_approval, wait_state

PLAN = {"name": "update_plan", "input": {"steps": [{"title": "Read the notes"}, {"title": "Write the report"}]}}
SHEET = {
    "path": "report.xlsx",
    "sheets": [
        {"name": "Expenses",
         "columns": [{"header": "Item"}, {"header": "Amount", "type": "number"}],
         "rows": [["Paper", 10], ["Ink", 20], ["Stamps", 12.5], ["Total", "=SUM(B2:B4)"]]},
        {"name": "Notes", "columns": [{"header": "Note"}], "rows": [["All receipts checked"]]},
    ],
}


def finish(summary, deliverables=()):
    return {"tool_calls": [{"name": "finish", "input": {"summary": summary, "deliverables": list(deliverables)}}]}


def report_script(s, name="report.json"):
    return s.script(name, [
        {"text": "I will read the notes, then write a summary and a spreadsheet.", "tool_calls": [PLAN]},
        {"tool_calls": [{"name": "read_file", "input": {"path": "notes.txt"}}]},
        {"tool_calls": [{"name": "write_file", "input": {"path": "summary.md", "content": "# Summary\n- one\n"}}]},
        {"tool_calls": [{"name": "create_spreadsheet", "input": SHEET}]},
        finish("Wrote the summary and the spreadsheet.", ["summary.md", "report.xlsx"]),
    ])


def open_xlsx_preview(page):
    row = page.get_by_test_id("deliverable").filter(has_text="report.xlsx")
    row.get_by_test_id("preview-button").click()
    preview = page.get_by_test_id("preview")
    expect(preview.get_by_test_id("sheet-tab")).to_have_count(2)
    grid = preview.get_by_test_id("sheet-grid")
    expect(grid).to_contain_text("Stamps")
    expect(grid).to_contain_text(re.compile(r"42[.,]5"))  # SUM(B2:B4), computed
    return preview


def test_task_from_the_form_plan_diff_finish_preview_undo(t):
    s = t.server
    folder = s.folder("notes", {"notes.txt": "paper, ink, stamps\n"})
    model = report_script(s)
    page = t.page()
    tid = new_task_ui(t, page, "Summarise my notes into a report", folder, model, mode="ask")

    # The plan comes first, as a checklist preview.
    answer_next(page, check=lambda c: expect(c.get_by_test_id("plan-preview")).to_contain_text("Write the report"))
    expect(page.get_by_test_id("plan").locator("li")).to_have_count(2)

    def diff_has_plus_lines(card):
        diff = card.get_by_test_id("diff")
        expect(diff).to_be_visible()
        expect(diff.locator("tr[data-op='+']")).to_have_count(2)
        expect(diff.locator("tr[data-op='+']").first).to_contain_text("# Summary")
        expect(diff.locator("tr[data-op='+']").nth(1)).to_contain_text("- one")
        expect(card).to_contain_text("summary.md")

    answer_next(page, check=diff_has_plus_lines)
    answer_next(page)  # the spreadsheet
    wait_state(page, "done")
    assert (folder / "summary.md").read_text() == "# Summary\n- one\n"
    feed = page.get_by_test_id("activity")
    expect(feed).to_contain_text("Wrote summary.md")
    expect(feed).to_contain_text("Made report.xlsx")
    expect(feed).to_contain_text("I will read the notes")
    expect(feed).not_to_contain_text("{")  # no raw JSON
    expect(page.get_by_test_id("summary")).to_have_text("Wrote the summary and the spreadsheet.")
    expect(page.get_by_test_id("deliverable")).to_have_count(2)
    expect(page.get_by_test_id("usage")).not_to_be_empty()

    preview = open_xlsx_preview(page)
    preview.get_by_test_id("sheet-tab").filter(has_text="Notes").click()
    expect(preview.get_by_test_id("sheet-grid")).to_contain_text("All receipts checked")
    page.get_by_test_id("deliverable").filter(has_text="summary.md").get_by_test_id("preview-button").click()
    expect(preview.locator("h4")).to_have_text("Summary")
    expect(preview.locator("li")).to_have_text("one")

    # Undo: the dialog lists what goes back; afterwards the files are gone.
    page.get_by_test_id("undo").click()
    dialog = page.get_by_test_id("undo-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_test_id("undo-list")).to_contain_text("summary.md")
    expect(dialog.get_by_test_id("undo-list")).to_contain_text("report.xlsx")
    n = dialog.get_by_test_id("undo-item").count()
    expect(dialog.get_by_test_id("undo-confirm")).to_have_text(f"Undo {n} change{'s' if n != 1 else ''}")
    t.shot(page, "6-undo-dialog-desktop")
    dialog.get_by_test_id("undo-confirm").click()
    expect(page.get_by_test_id("undo-result")).to_contain_text("Put back")
    assert not (folder / "summary.md").exists()
    assert not (folder / "report.xlsx").exists()
    assert (folder / "notes.txt").exists()
    expect(page.get_by_test_id("activity")).to_contain_text("Undid")
    expect(page.get_by_test_id("undo")).to_be_hidden()
    assert s.task(tid)["changes"]["done"] == 0


def test_question_then_steering_pause_continue_cancel(t):
    s = t.server
    folder = s.folder("steer", {"a.txt": "a\n"})
    model = s.script("steer.json", [
        {"tool_calls": [{"name": "ask_user", "input": {"question": "Which currency should totals use?"}}]},
        {"delay_ms": 3000, "expect_tool_result_contains": "EUR",
         "tool_calls": [{"name": "list_files", "input": {"path": "."}}]},
        {"expect_request_contains": "use metric units", "delay_ms": 6000,
         "tool_calls": [{"name": "read_file", "input": {"path": "a.txt"}}]},
        finish("never gets here"),
    ])
    page = t.page()
    new_task_ui(t, page, "Total the expenses", folder, model, mode="auto")

    question = page.get_by_test_id("question")
    expect(question).to_contain_text("Which currency should totals use?")
    wait_state(page, "waiting")
    question.get_by_test_id("answer-input").fill("EUR")
    t.shot(page, "7-question-desktop")
    question.get_by_test_id("answer-send").click()
    expect(page.get_by_test_id("question")).to_have_count(0)
    feed = page.get_by_test_id("activity")
    expect(feed.locator("[data-type=question_answered]")).to_contain_text("EUR")

    # While the model "thinks" (3 s), pause: it holds after that step.
    wait_state(page, "running")
    page.get_by_test_id("pause").click()
    wait_state(page, "paused")
    expect(page.get_by_test_id("pause")).to_be_disabled()
    expect(page.get_by_test_id("continue")).to_be_enabled()

    page.get_by_test_id("say-input").fill("use metric units")
    page.get_by_test_id("say-send").click()
    expect(feed.locator("[data-type=user_message]")).to_contain_text("use metric units")
    expect(page.get_by_test_id("say-input")).to_have_value("")

    page.get_by_test_id("continue").click()
    wait_state(page, "running")  # the next turn checks the message reached the model
    expect(feed).to_contain_text("Looked through the folder")
    page.get_by_test_id("cancel").click()
    dialog = page.get_by_test_id("cancel-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_test_id("cancel-keep").click()
    expect(dialog).to_be_hidden()
    page.get_by_test_id("cancel").click()
    dialog.get_by_test_id("cancel-confirm").click()
    wait_state(page, "cancelled")
    expect(page.get_by_test_id("say-input")).to_be_disabled()
    expect(page.get_by_test_id("cancel")).to_be_disabled()
    expect(feed).not_to_contain_text("scripted turn")  # the steering message did reach it


def test_deny_a_write(t):
    s = t.server
    folder = s.folder("deny", {"keep.txt": "keep\n"})
    model = s.script("deny.json", [
        {"tool_calls": [{"name": "write_file", "input": {"path": "secret.md", "content": "no\n"}}]},
        {"expect_tool_result_contains": "declined", "text": "Understood, I will not write it.",
         "tool_calls": [{"name": "finish", "input": {"summary": "Wrote nothing."}}]},
    ])
    page = t.page()
    tid = t.server.create("Write a secret", folder, model, mode="ask")
    t.open_task(page, tid)
    call = answer_next(page, button="deny",
                       check=lambda c: expect(c.locator("tr[data-op='+']")).to_contain_text("no"))
    card = page.locator(f"[data-testid=approval][data-call-id='{call}']")
    expect(card).to_have_attribute("data-resolved", "denied")
    expect(card.get_by_test_id("approval-status")).to_have_text("Refused.")
    wait_state(page, "done")
    feed = page.get_by_test_id("activity")
    expect(feed.locator("[data-type=approval_resolved]")).to_contain_text("Refused: write secret.md")
    expect(feed.locator("[data-type=tool_finished]").filter(has_text="secret.md")).to_contain_text("you refused it")
    assert not (folder / "secret.md").exists()
    expect(page.get_by_test_id("undo")).to_be_hidden()


def test_reconnecting_mid_task_shows_every_event_once(t):
    s = t.server
    folder = s.folder("reconnect", {"a.txt": "a\n"})
    model = s.script("reconnect.json", [
        {"text": "Looking first.", "tool_calls": [{"name": "list_files", "input": {"path": "."}}]},
        {"tool_calls": [{"name": "write_file", "input": {"path": "one.md", "content": "one\n"}}]},
        {"tool_calls": [{"name": "write_file", "input": {"path": "two.md", "content": "two\n"}}]},
        {"tool_calls": [{"name": "write_file", "input": {"path": "three.md", "content": "three\n"}}]},
        {"tool_calls": [{"name": "write_file", "input": {"path": "four.md", "content": "four\n"}}]},
        finish("Wrote four files.", ["one.md"]),
    ])
    tid = s.create("Write four files", folder, model, mode="ask")
    page = t.page()
    streams = []
    page.on("request", lambda r: "/events" in r.url and streams.append(r.url))
    t.open_task(page, tid)
    expect(pending_approval(page)).to_contain_text("one.md")

    def approve_from_api(name):
        s.wait_task(tid, f"the write of {name} to wait", lambda d: any(name in w["summary"] for w in d["task"]["waiting_for"]))
        status, body = s.api("POST", f"/api/tasks/{tid}/approve", {})
        assert status == 200, (status, body)

    def assert_each_event_once():
        shown = feed_seqs(page)
        assert len(shown) == len(set(shown)), f"an event is shown twice: {shown}"
        return shown

    # 1. The server goes away mid-task and comes back on the same port: the page's stream
    # breaks, and events logged meanwhile must arrive once when it reconnects.
    port = int(s.base.rsplit(":", 1)[1])
    s.stop()
    page.wait_for_timeout(300)
    s.start(port)
    approve_from_api("one.md")
    expect(pending_approval(page)).to_contain_text("two.md")
    assert_each_event_once()
    # (Chromium resumes with Last-Event-ID itself; Playwright does not show that header.)
    assert len(streams) >= 2, f"the page never reopened its event stream: {streams}"

    # 2. The browser goes offline for a moment (fetches fail, the page recovers by itself).
    t.context.set_offline(True)
    approve_from_api("two.md")
    s.wait_task(tid, "the third write to wait", lambda d: any("three.md" in w["summary"] for w in d["task"]["waiting_for"]))
    page.wait_for_timeout(300)
    t.context.set_offline(False)
    expect(pending_approval(page)).to_contain_text("three.md")
    assert_each_event_once()

    # 3. Reloaded, the feed is rebuilt from the replay; away and back, a new stream opens.
    page.reload()
    expect(pending_approval(page)).to_contain_text("three.md")
    page.goto(f"{s.base}/#/trash")
    approve_from_api("three.md")
    page.go_back()
    approve_from_api("four.md")
    wait_state(page, "done")

    expect(page.get_by_test_id("activity").locator("[data-type=finished]")).to_have_count(1)
    shown = assert_each_event_once()
    logged = s.event_seqs(tid)
    assert sorted(shown) == sorted(logged), f"shown {shown}\nlogged {logged}"
    for name in ("one.md", "two.md", "three.md", "four.md"):
        assert (folder / name).exists(), name


def test_two_tabs_answer_one_approval(t):
    s = t.server
    folder = s.folder("tabs")
    model = s.script("tabs.json", [
        {"tool_calls": [{"name": "write_file", "input": {"path": "once.md", "content": "once\n"}}]},
        finish("Wrote once.md.", ["once.md"]),
    ])
    tid = s.create("Write once", folder, model, mode="ask")
    a, b = t.page(), t.page()
    statuses = []
    answered = {}
    for p in (a, b):
        # Which tab lost is what its own response said, not what it shows at one instant.
        p.on("response", lambda r, p=p: "/approve" in r.url and (statuses.append(r.status), answered.setdefault(r.status, p)))
        t.open_task(p, tid)
        expect(pending_approval(p).get_by_test_id("allow-once")).to_be_enabled()
    # Both click at the same moment: each tab arms a timer for the same instant.
    at = a.evaluate("Date.now()") + 500
    for p in (a, b):
        p.evaluate("""at => setTimeout(() => document.querySelector(
            '[data-testid=approval]:not([data-resolved]) [data-testid=allow-once]').click(), at - Date.now())""", at)
    deadline = time.time() + 20
    while len(statuses) < 2 and time.time() < deadline:
        a.wait_for_timeout(100)
    assert sorted(statuses) == [200, 409], statuses
    loser = answered[409]
    for p in (a, b):
        card = p.get_by_test_id("approval")
        expect(card).to_have_attribute("data-resolved", "allowed")
        expect(card.get_by_test_id("allow-once")).to_have_count(0)
        wait_state(p, "done")
    expect(loser.get_by_test_id("approval-status")).to_contain_text("Already answered elsewhere")
    assert (folder / "once.md").read_text() == "once\n"
    data = s.task(tid)
    assert data["changes"]["done"] == 1, data["changes"]
    for p in (a, b):
        expect(p.get_by_test_id("activity").locator("[data-type=tool_finished]").filter(has_text="once.md")).to_have_count(1)


def test_a_task_started_from_the_cli_appears_live(t):
    s = t.server
    folder = s.folder("cli", {"a.txt": "a\n"})
    model = s.script("cli.json", [
        {"tool_calls": [{"name": "write_file", "input": {"path": "from-cli.md", "content": "hello\n"}}]},
        finish("Wrote it."),
    ])
    page = t.page()
    expect(page.get_by_test_id("task-list")).to_be_visible()
    page.evaluate("window.__stayed = true")
    out = subprocess.run([errand_bin(), "--no-input", "run", "Started from the terminal", "--folder", str(folder),
                          "--model", model, "--mode", "ask"], env=s.env(), capture_output=True, timeout=60)
    assert out.returncode == 3, (out.returncode, out.stdout[-2000:], out.stderr[-2000:])
    row = page.get_by_test_id("task-row").filter(has_text="Started from the terminal")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("row-state")).to_have_attribute("data-state", "waiting")
    assert page.evaluate("window.__stayed") is True, "the page was reloaded"
    row.click()
    card = pending_approval(page)
    expect(card).to_contain_text("from-cli.md")
    expect(card.get_by_test_id("diff")).to_contain_text("hello")
    wait_state(page, "waiting")
    # Allowed here, the server runs the CLI's task to the end.
    card.get_by_test_id("allow-once").click()
    wait_state(page, "done")
    assert (folder / "from-cli.md").read_text() == "hello\n"
    expect(page.get_by_test_id("task-row").filter(has_text="Started from the terminal").get_by_test_id("row-state")) \
        .to_have_attribute("data-state", "done")


def test_a_project_chosen_on_the_form_brings_its_folders_and_instructions(t):
    s = t.server
    folder = s.folder("q3", {"notes.txt": "Q3 went well.\n"})
    out = subprocess.run([errand_bin(), "--json", "project", "create", "q3-report", "--folder", str(folder)],
                         env=s.env(), capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    project_dir = Path(json.loads(out.stdout)["dir"])
    (project_dir / "instructions.md").write_text("Figures in euros.\n")
    model = s.script("project.json", [finish("Read the notes.")])
    page = t.page()
    page.goto(t.server.base + "/#/new")
    page.get_by_test_id("outcome").fill("What do the notes say?")
    page.get_by_test_id("project").select_option("q3-report")
    expect(page.get_by_test_id("chosen-folder")).to_have_attribute("data-path", str(folder.resolve()))
    page.get_by_test_id("mode").select_option("auto")
    page.get_by_test_id("model").fill(model)
    page.get_by_test_id("start").click()
    page.wait_for_url(re.compile(r"#/task/"), timeout=WAIT)
    wait_state(page, "done")
    read = page.get_by_test_id("activity").locator("[data-type=instructions_read]")
    expect(read).to_contain_text("Read these instructions: the instructions of project q3-report")


XSS_OUTCOME = '<img src=x onerror="window.__xss=1">'
XSS_FILE = "<img src=x onerror=window.__xss=2>.txt"


def test_names_and_contents_are_text_never_html(t):
    s = t.server
    folder = s.folder("xss", {XSS_FILE: "<script>window.__xss=3</script>\n"})
    md = "about-<b onmouseover=window.__xss=4>.md"
    model = s.script("xss.json", [
        {"text": "Found <img src=x onerror=window.__xss=5> here.",
         "tool_calls": [{"name": "list_files", "input": {"path": "."}}]},
        {"tool_calls": [{"name": "read_file", "input": {"path": XSS_FILE}}]},
        {"tool_calls": [{"name": "write_file", "input": {
            "path": md, "content": f"# <img src=x onerror=window.__xss=6>\n\nAbout {XSS_FILE}\n\n- <svg onload=window.__xss=7>\n"}}]},
        {"tool_calls": [{"name": "ask_user", "input": {"question": "<img src=x onerror=window.__xss=8>?"}}]},
        finish(f"Read {XSS_FILE}", [md, XSS_FILE]),
    ])
    page = t.page()
    tid = new_task_ui(t, page, XSS_OUTCOME, folder, model, mode="auto")
    q = page.get_by_test_id("question")
    expect(q).to_contain_text("<img src=x onerror=window.__xss=8>?")
    q.get_by_test_id("answer-input").fill("<img src=x onerror=window.__xss=9>")
    q.get_by_test_id("answer-send").click()
    wait_state(page, "done")
    expect(page.get_by_test_id("outcome")).to_have_text(XSS_OUTCOME)
    feed = page.get_by_test_id("activity")
    expect(feed).to_contain_text(f"Read {XSS_FILE}")
    expect(feed).to_contain_text("Found <img src=x onerror=window.__xss=5> here.")
    expect(feed).to_contain_text("<img src=x onerror=window.__xss=9>")
    expect(page.get_by_test_id("task-row").filter(has_text=XSS_OUTCOME)).to_have_count(1)
    expect(page.get_by_test_id("summary")).to_have_text(f"Read {XSS_FILE}")
    expect(page.get_by_test_id("deliverable").filter(has_text=md)).to_have_count(1)
    page.get_by_test_id("deliverable").filter(has_text=md).get_by_test_id("preview-button").click()
    expect(page.get_by_test_id("preview")).to_contain_text("<img src=x onerror=window.__xss=6>")
    page.get_by_test_id("deliverable").filter(has_text=XSS_FILE).get_by_test_id("preview-button").click()
    expect(page.get_by_test_id("preview")).to_contain_text("<script>window.__xss=3</script>")
    page.get_by_test_id("undo").click()
    expect(page.get_by_test_id("undo-list")).to_contain_text(md)
    page.get_by_test_id("undo-keep").click()
    page.goto(f"{s.base}/#/")
    page.get_by_test_id("search").fill("<img")
    expect(page.get_by_test_id("task-row")).to_have_count(1)
    page.goto(f"{s.base}/#/task/{tid}")
    wait_state(page, "done")
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__xss") == "undefined", page.evaluate("window.__xss")
    assert page.locator("img[src=x], svg, b[onmouseover]").count() == 0


def test_done_with_problems_shows_what_the_check_found_as_text(t):
    s = t.server
    folder = s.folder("check", {"notes.txt": "Q3 went well.\n"})
    missing = "<img src=x onerror=window.__xss=10>.md"
    model = s.script("check.json", [
        {"tool_calls": [{"name": "read_file", "input": {"path": "notes.txt"}}]},
        finish("Wrote the summary.", [missing]),
        finish("Wrote the summary.", [missing]),
    ])
    page = t.page()
    tid = s.create("Summarise notes.txt", folder, model, mode="auto")
    t.open_task(page, tid)
    wait_state(page, "done")
    box = page.get_by_test_id("problems")
    expect(box).to_contain_text("Done with problems")
    expect(box).to_contain_text(f"the deliverable `{missing}` does not exist")
    feed = page.get_by_test_id("activity")
    expect(feed.locator("[data-type=checked]").first).to_contain_text("found")
    expect(feed.locator("[data-type=nudged]")).to_contain_text("Reminded the model")
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("img[src=x]").count() == 0


def png(width, height):
    """A PNG, left half red and right half blue, made without an imaging library."""
    import struct
    import zlib
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    row = b"".join(b"\xdc\x14\x14" if x < width // 2 else b"\x14\x14\xdc" for x in range(width))
    raw = b"".join(b"\x00" + row for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def test_the_activity_shows_the_pictures_the_model_was_shown(t):
    s = t.server
    folder = s.folder("photos")
    (folder / "receipt.png").write_bytes(png(120, 80))
    model = s.script("look.json", [
        {"tool_calls": [{"id": "look", "name": "read_file", "input": {"path": "receipt.png"}}]},
        finish("Looked at the receipt."),
    ], reads_images=True)
    page = t.page()
    tid = s.create("Look at the receipt", folder, model, mode="auto")
    t.open_task(page, tid)
    wait_state(page, "done")
    pictures = page.get_by_test_id("activity").get_by_test_id("pictures")
    expect(pictures).to_have_count(1)
    img = pictures.locator("img")
    expect(img).to_have_attribute("alt", "Picture shown to the model (120×80)")
    page.wait_for_function("() => { const i = document.querySelector('[data-testid=pictures] img'); return i && i.complete && i.naturalWidth === 120; }", timeout=WAIT)
    t.shot(page, "activity-picture")
    # Only pictures the task's own events name are served.
    status, _ = s.api("GET", f"/api/tasks/{tid}/images/{'0' * 64}")
    assert status == 404, status


def test_a_page_from_a_site_not_given_asks_in_words_and_deny_fetches_nothing(t):
    s = t.server
    folder = s.folder("venue", {"plan.md": "Venue: lake house\n"})
    model = s.script("fetch.json", [
        {"tool_calls": [{"name": "web_fetch", "input": {"url": "https://lakehouse-venues.invalid/booking"}}]},
        {"expect_tool_result_contains": "declined",
         "tool_calls": [{"name": "finish", "input": {"summary": "Did not read the page."}}]},
    ])
    page = t.page()
    tid = s.create("Check the venue booking page", folder, model, mode="auto")
    t.open_task(page, tid)

    def check(card):
        fetch = card.get_by_test_id("fetch")
        expect(fetch).to_contain_text("https://lakehouse-venues.invalid/booking")
        expect(fetch).to_contain_text("lakehouse-venues.invalid is not among the sites this task was given")
        # No empty preview box under the words.
        expect(card.locator("pre.lines")).to_have_count(0)
        t.shot(page, "approval-web-fetch")

    answer_next(page, button="deny", check=check)
    wait_state(page, "done")


def test_schedules_page_runs_pauses_resumes_and_removes(t):
    s = t.server
    folder = s.folder("weekly", {"notes.md": "Numbers for the week\n"})
    model = s.script("weekly.json", [
        {"tool_calls": [{"name": "write_file", "input": {"path": "report.md", "content": "# Weekly\n"}}]},
        finish("Wrote the weekly report.", ["report.md"]),
    ])
    out = subprocess.run([errand_bin(), "schedule", "add", "Write the weekly report", "--folder", str(folder),
                          "--every", "monday 09:30", "--mode", "auto", "--model", model],
                         env=s.env(), capture_output=True, timeout=60)
    assert out.returncode == 0, (out.returncode, out.stdout[-2000:], out.stderr[-2000:])
    page = t.page()
    page.get_by_test_id("nav-schedules").click()
    row = page.get_by_test_id("schedule").filter(has_text="Write the weekly report")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("schedule-when")).to_contain_text("every Monday at 09:30")
    expect(row.get_by_test_id("schedule-when")).to_contain_text("next")
    expect(row).to_contain_text("Not run yet")
    t.shot(page, "schedules")
    row.get_by_test_id("schedule-pause").click()
    expect(row.get_by_test_id("paused")).to_be_visible()
    expect(row.get_by_test_id("schedule-when")).not_to_contain_text("next")
    row.get_by_test_id("schedule-resume").click()
    expect(row.get_by_test_id("paused")).to_have_count(0)
    # Run now opens the run's task, which this server drives to the end.
    row.get_by_test_id("schedule-run").click()
    wait_state(page, "done")
    assert (folder / "report.md").read_text() == "# Weekly\n"
    page.get_by_test_id("nav-schedules").click()
    expect(row.get_by_test_id("last-state")).to_have_text("Done")
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    row.get_by_test_id("schedule-remove").click()
    expect(page.get_by_test_id("schedules-list")).to_contain_text("No schedules yet.")
    listed = subprocess.run([errand_bin(), "schedule", "list", "--json"], env=s.env(), capture_output=True, timeout=60)
    assert json.loads(listed.stdout or b"[]") in ([], {"schedules": []}), listed.stdout[-500:]
    assert asked and "Write the weekly report" in asked[0], asked


def test_sign_in_missing_shows_how_to_sign_in(t):
    page = t.page()
    expect(page.get_by_test_id("task-list")).to_be_visible()
    t.context.clear_cookies()
    page.get_by_test_id("search").fill("anything")
    expect(page.get_by_test_id("banner")).to_contain_text("Open the link errand serve printed (it carries the token)")


def test_trash_lists_and_restores(t):
    s = t.server
    folder = s.folder("trash", {"old.txt": "old\n"})
    model = s.script("trash.json", [
        {"tool_calls": [{"name": "trash_path", "input": {"path": "old.txt"}}]},
        finish("Tidied."),
    ])
    tid = s.create("Throw away old.txt", folder, model, mode="auto")
    page = t.page()
    t.open_task(page, tid)
    card = pending_approval(page)  # deletes always ask
    expect(card.get_by_test_id("trash-files")).to_contain_text("old.txt")
    card.get_by_test_id("allow-once").click()
    wait_state(page, "done")
    expect(page.get_by_test_id("activity")).to_contain_text("Moved old.txt to the task's trash")
    assert not (folder / "old.txt").exists()
    page.goto(f"{s.base}/#/trash")
    item = page.get_by_test_id("trash-item").filter(has_text="old.txt")
    expect(item).to_have_count(1)
    item.get_by_test_id("restore").click()
    expect(item).to_contain_text("Restored")
    assert (folder / "old.txt").read_text() == "old\n"


def test_commands_complete_after_a_slash_and_a_task_saves_as_a_skill(t):
    s = t.server
    folder = s.folder("tidy", {"report.pdf": "%PDF-1.4\n", "photo.jpg": "jpg", "notes.txt": "notes\n"})
    page = t.page()
    page.goto(s.base + "/#/new")
    box = page.get_by_test_id("outcome")
    box.fill("/organ")
    suggestions = page.get_by_test_id("command-suggestion")
    expect(suggestions.first).to_contain_text("/errand:organize")
    suggestions.first.click()
    expect(box).to_have_value("/errand:organize ")
    box.press("End")
    box.type("by type")
    expect(page.get_by_test_id("command-suggestions")).to_be_hidden()
    page.get_by_test_id("folder-path").fill(str(folder))
    page.get_by_test_id("folder-add").click()
    page.get_by_test_id("mode").select_option("auto")
    page.get_by_test_id("model").fill("offline")
    page.get_by_test_id("start").click()
    page.wait_for_url(re.compile(r"#/task/"), timeout=WAIT)
    expect(page.get_by_test_id("outcome")).to_have_text("Organize this folder by type")
    wait_state(page, "done")
    page.get_by_test_id("save-skill").click()
    page.get_by_test_id("skill-name").fill("Tidy Up")
    page.get_by_test_id("skill-save").click()
    expect(page.get_by_test_id("skill-message")).to_contain_text("not a skill name")
    page.get_by_test_id("skill-name").fill("tidy-up")
    page.get_by_test_id("skill-save").click()
    expect(page.get_by_test_id("skill-message")).to_contain_text("Saved. Run it as /tidy-up")
    assert (s.tmp / "skills" / "tidy-up" / "SKILL.md").exists()
    t.shot(page, "save-skill")
    page.get_by_test_id("skill-close").click()
    # The saved skill is offered in the next new task.
    page.goto(s.base + "/#/new")
    page.get_by_test_id("outcome").fill("/tidy")
    expect(page.get_by_test_id("command-suggestion").first).to_contain_text("/tidy-up")
    t.shot(page, "command-suggestions")


def test_connectors_page_shows_servers_and_turns_plugins_on_and_off(t):
    s = t.server
    flaky = Path(__file__).resolve().parents[3] / "errand-mcp" / "tests" / "servers" / "flaky.py"
    with open(s.config, "a") as f:
        f.write(f'\n[mcp.servers.helper]\ncommand = "python3"\nargs = ["{flaky}"]\n'
                '\n[mcp.servers.gone]\ncommand = "/nonexistent/server"\n')
    plugin = s.folder("notes-plugin", {
        ".claude-plugin/plugin.json": '{"name": "notes-kit", "version": "1.0.0", "description": "Notes helpers."}',
        "skills/tidy-notes/SKILL.md": "---\nname: tidy-notes\ndescription: Tidy notes.\n---\nTidy them.\n",
        ".mcp.json": '{"mcpServers": {"calendar": {"type": "http", "url": ""}}}',
    })
    out = subprocess.run([errand_bin(), "plugins", "install", str(plugin)], env=s.env(), capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    page = t.page()
    page.get_by_test_id("nav-connectors").click()
    helper = page.locator("[data-testid=connector][data-name=helper]")
    expect(helper.get_by_test_id("connector-state")).to_have_text("Connected")
    expect(helper).to_contain_text("tools")
    gone = page.locator("[data-testid=connector][data-name=gone]")
    expect(gone.get_by_test_id("connector-state")).to_have_text("Not working")
    expect(page.get_by_test_id("plugin-connector")).to_contain_text("Needs a URL")
    row = page.locator("[data-testid=plugin][data-name=notes-kit]")
    expect(row.get_by_test_id("plugin-state")).to_have_text("On")
    expect(row).to_contain_text("1 skill, 0 commands, 0 helpers, 0 hooks, 1 server")
    t.shot(page, "connectors")
    page.set_viewport_size(PHONE)
    expect(row.get_by_test_id("plugin-toggle")).to_be_visible()
    t.shot(page, "connectors-phone")
    page.set_viewport_size(DESKTOP)
    row.get_by_test_id("plugin-toggle").click()
    expect(row.get_by_test_id("plugin-state")).to_have_text("Off")
    out = subprocess.run([errand_bin(), "--json", "plugins", "list"], env=s.env(), capture_output=True, text=True)
    assert '"enabled":false' in out.stdout, out.stdout


def test_screenshots(t):
    """The four screens at desktop and phone width (saved when ERRAND_SCREENSHOTS is set)."""
    s = t.server
    folder = s.folder("Receipts", {"notes.txt": "paper, ink, stamps\n", "2024/jan.txt": "jan\n", "2025/feb.txt": "feb\n"})
    page = t.page()

    def both(name, prepare=None):
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            if prepare:
                prepare()
            t.shot(page, f"{name}-{label}")
        page.set_viewport_size(DESKTOP)

    # 1. The new-task form, a folder chosen.
    page.goto(f"{s.base}/#/new")
    page.get_by_test_id("outcome").fill("Make an expense report from these receipts")
    page.get_by_test_id("folder-item").first.get_by_test_id("choose-folder").click()
    page.get_by_test_id("folder-item").first.locator("button.folder").click()
    expect(page.get_by_test_id("browse-path")).to_be_visible()
    expect(page.get_by_test_id("chosen-folder")).to_have_count(1)
    both("1-new-task")

    # 2. An approval with a diff (replacing a file shows - and + lines).
    (folder / "summary.md").write_text("# Summary\n- old line\nkept\n")
    diff_model = s.script("diff.json", [
        {"text": "I will update the summary.", "tool_calls": [
            {"name": "write_file", "input": {"path": "summary.md", "content": "# Summary\n- new line\n- another\nkept\n"}}]},
        finish("Updated."),
    ])
    tid = s.create("Update the summary with this month's numbers", folder, diff_model, mode="ask")
    t.open_task(page, tid)
    expect(pending_approval(page).get_by_test_id("diff")).to_be_visible()
    both("2-approval-diff", lambda: pending_approval(page).scroll_into_view_if_needed())

    # 3. A running task with helpers, frozen mid-run: one waits for its approval (it would
    # replace a file the task did not make), one "thinks" for a minute, one is done.
    sub_model = s.script("team.json", [
        {"text": "Three helpers will each take a part.", "tool_calls": [
            {"name": "update_plan", "input": {"steps": [
                {"title": "Split the receipts by month", "status": "done"},
                {"title": "Summarise each month", "status": "in_progress"},
                {"title": "Combine into one report"}]}},
            {"name": "delegate", "input": {"agents": [
                {"goal": "Summarise January receipts", "folders": ["2024"]},
                {"goal": "Summarise February receipts", "folders": ["2025"]},
                {"goal": "Check the notes for missing receipts"}]}}]},
        finish("Combined."),
    ], subagents=[
        [{"tool_calls": [{"name": "read_file", "input": {"path": "2024/jan.txt"}}]},
         {"tool_calls": [{"name": "write_file", "input": {"path": "2024/jan.txt", "content": "January: 3 receipts\n"}}]},
         finish("January done")],
        [{"tool_calls": [{"name": "list_files", "input": {"path": "2025"}}]},
         {"delay_ms": 60000, "tool_calls": [{"name": "write_file", "input": {"path": "2025/summary.md", "content": "# February\n"}}]},
         finish("February done")],
        [{"tool_calls": [{"name": "read_file", "input": {"path": "notes.txt"}}]},
         finish("No receipt is missing.")],
    ])
    tid = s.create("Summarise the receipts month by month", folder, sub_model, mode="auto")
    s.wait_task(tid, "helpers at work", lambda d: len(d.get("subagents") or []) == 3
                and any(x["state"] == "done" for x in d["subagents"]) and d["task"]["waiting_for"])
    t.open_task(page, tid)
    expect(page.get_by_test_id("subagent")).to_have_count(3)
    expect(pending_approval(page)).to_be_visible()
    both("3-helpers", lambda: page.get_by_test_id("subagents").scroll_into_view_if_needed())
    s.api("POST", f"/api/tasks/{tid}/cancel", {})

    # 4. A finished task with the spreadsheet preview open.
    notes = s.folder("Notes", {"notes.txt": "paper, ink, stamps\n"})
    tid = s.create("Summarise my notes into a report", notes, report_script(s, "report2.json"), mode="auto")
    s.wait_task(tid, "the report", lambda d: d["task"]["state"] == "done")
    t.open_task(page, tid)
    wait_state(page, "done")
    open_xlsx_preview(page)
    both("4-finished-xlsx", lambda: page.get_by_test_id("preview").scroll_into_view_if_needed())
    # Also the home page on a phone (the list) and the trash page.
    page.set_viewport_size(PHONE)
    page.goto(f"{s.base}/#/")
    expect(page.get_by_test_id("task-row").first).to_be_visible()
    t.shot(page, "5-list-phone")
    page.set_viewport_size(DESKTOP)
