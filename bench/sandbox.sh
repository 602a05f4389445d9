#!/usr/bin/env bash
# Sandbox start overhead: run_command("true") without the sandbox, in it, and in Debian's
# bubblewrap (install it with `apt-get install bubblewrap` to compare), median of 200 each.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench -q -p errand-sandbox --bench start
