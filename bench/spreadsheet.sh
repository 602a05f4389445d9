#!/usr/bin/env bash
# A 100,000-row x 10-column sheet with a formula column, written by Errand (formulas
# computed by IronCalc, cached) and by Python's openpyxl (formulas stored, not computed),
# in one run: seconds and peak memory of each. Both write the same unformatted numbers;
# Errand also styles the header, sizes the columns and freezes the header row.
# Needs `pip install openpyxl`.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
out=$(mktemp -d)
cargo build -q --release -p errand-office --example big_sheet
/usr/bin/time -f "  errand total: %e s, peak %M KB" ./target/release/examples/big_sheet "$rows" "$out/errand.xlsx"
/usr/bin/time -f "  openpyxl total: %e s, peak %M KB" python3 bench/openpyxl_big.py "$rows" "$out/openpyxl.xlsx"
ls -l "$out"/*.xlsx | awk '{print "  " $5 " bytes  " $9}'
rm -rf "$out"
