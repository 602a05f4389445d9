#!/usr/bin/env bash
# Model-path benchmarks: Errand's runtime overhead per model turn against a zero-latency
# loopback server (both providers, against a bare reqwest exchange of the same bytes), and
# the streaming parser's throughput (against JSON-decoding the same events and nothing else).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench -q -p errand --bench turn
cargo bench -q -p errand-model --bench sse
