#!/usr/bin/env python3
"""Runs every browser test of the web workspace against a real `errand serve`.

    ERRAND_BIN=target/debug/errand python3 crates/errand-cli/tests/browser/run.py [-k NAME]

Each test starts its own server (scratch home, scripted model) and browser context, and
kills the server at its end, pass or fail. ERRAND_SCREENSHOTS=DIR saves screenshots.
Exits 1 if any test failed, naming each."""

import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from playwright.sync_api import sync_playwright  # noqa: E402

import tests  # noqa: E402
from harness import CHROMIUM_ARGS, Test, errand_bin  # noqa: E402


def main(argv):
    wanted = argv[argv.index("-k") + 1] if "-k" in argv else ""
    errand_bin()
    names = [n for n in dir(tests) if n.startswith("test_") and wanted in n]
    names.sort(key=lambda n: tests.__dict__[n].__code__.co_firstlineno)
    failed = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            for name in names:
                started = time.time()
                t = None
                ok = False
                try:
                    t = Test(browser, name[5:])
                    tests.__dict__[name](t)
                    t.check_no_errors()
                    ok = True
                except Exception:  # noqa: BLE001 - a test's failure is reported, not raised
                    print(f"FAIL {name} ({time.time() - started:.1f}s)")
                    traceback.print_exc(limit=6)
                    failed.append(name)
                finally:
                    if t is not None:
                        t.close(failed=not ok)
                if ok:
                    print(f"ok   {name} ({time.time() - started:.1f}s)")
                sys.stdout.flush()
        finally:
            browser.close()
    print(f"\n{len(names) - len(failed)} passed, {len(failed)} failed")
    for name in failed:
        print(f"  failed: {name}")
    return 1 if failed or not names else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
