#!/usr/bin/env bash
# Benchmark (not a test): the web workspace, measured from outside in one run.
#   - first page load: bytes Chromium transfers to show the workspace (all requests);
#   - event latency: from an event's append (its `at`) to a page's EventSource receiving
#     it, median and p95 of 200, for appends by the server itself (`say` over the API) and
#     by another process (`errand say`), the latter found by polling the store;
#   - idle memory: RSS of a server idle with 1,000 tasks in the store, against the same
#     server with an empty store;
#   - the task list: a page of 50 from 10,000 tasks (newest, deep offset, a search), median
#     and p95 of 100 requests, against the same requests on 1,000 tasks.
#
#   bench/serve.sh
#
# Needs python3 with playwright and Debian's chromium (see .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --release -p errand
ERRAND_BIN=$PWD/target/release/errand python3 bench/serve_measure.py
