#!/usr/bin/env bash
# Benchmark (not a test): photographed receipts into an expense report, offline.
#   errand     `errand run "turn these receipts into an expense report"` (offline recipe, no
#              model) on COUNT generated phone photos of receipts: wall seconds, receipts per
#              second, and how many totals in the report are exactly the printed ones, how many
#              are wrong, how many went to "Needs review";
#   tesseract  the baseline in the same run: plain `tesseract FILE stdout --psm 6` (as read_file runs it) on the same photos
#              one after another, and the naive reading of its text (the last amount on the
#              last line saying TOTAL), scored the same way. errand/tesseract is the recipe's
#              overhead as a ratio.
#
#   bench/ocr.sh [COUNT] [SEED]      defaults 50 and 1
#
# The photos come from `errand demo-folder --kind receipt-photos` (hidden; seeded), which
# prints each file's true total; that truth is kept outside the folder the recipe reads.
# ERRAND_BIN overrides the binary (default target/release/errand, built if missing). Needs
# tesseract (tesseract-ocr, tesseract-ocr-eng) and python3 with openpyxl to read the report.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-50}
SEED=${2:-1}
if [ -n "${ERRAND_BIN:-}" ]; then
    ERRAND=$ERRAND_BIN
else
    [ -x target/release/errand ] || cargo build --release -q -p errand
    ERRAND=$PWD/target/release/errand
fi
command -v tesseract > /dev/null || {
    echo "tesseract is missing: sudo apt install tesseract-ocr tesseract-ocr-eng" >&2
    exit 2
}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

echo "== $COUNT photographed receipts (seed $SEED)" >&2
"$ERRAND" demo-folder --kind receipt-photos --files "$COUNT" --seed "$SEED" "$WORK/photos" \
    > "$WORK/truth.csv" 2> /dev/null

echo "== errand run (offline recipe, --mode auto)" >&2
# Isolated home and config, and no model keys, so the offline recipe is what gets measured.
mkdir -p "$WORK/home"
: > "$WORK/home/config.toml"
start=$(date +%s.%N)
if ! env -u ANTHROPIC_API_KEY -u OPENAI_API_KEY -u OPENAI_BASE_URL -u ERRAND_MODEL \
    ERRAND_HOME="$WORK/home" ERRAND_CONFIG="$WORK/home/config.toml" \
    "$ERRAND" run "turn these receipts into an expense report" \
    --folder "$WORK/photos" --mode auto > "$WORK/errand.out" 2>&1; then
    echo "errand run failed:" >&2
    cat "$WORK/errand.out" >&2
    exit 1
fi
errand_secs=$(echo "$(date +%s.%N) - $start" | bc -l)

echo "== tesseract, one photo after another" >&2
mkdir "$WORK/text"
start=$(date +%s.%N)
for photo in "$WORK"/photos/*.jpg; do
    tesseract "$photo" stdout --psm 6 2> /dev/null > "$WORK/text/$(basename "$photo").txt"
done
tesseract_secs=$(echo "$(date +%s.%N) - $start" | bc -l)

python3 - "$WORK" "$COUNT" "$errand_secs" "$tesseract_secs" << 'EOF'
import csv, re, sys, warnings
import openpyxl

warnings.filterwarnings("ignore")  # openpyxl on extensions it does not keep
work, count, errand_secs, tesseract_secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
truth = {row["file"]: row["total"] for row in csv.DictReader(open(f"{work}/truth.csv"))}

book = openpyxl.load_workbook(f"{work}/photos/Expense report.xlsx")
read = {}
for row in book["Expenses"].iter_rows(min_row=2, values_only=True):
    if row[3] in truth and isinstance(row[4], (int, float)):
        read[row[3]] = f"{row[4]:.2f}"
# The sheet is there only when something needs review.
needs = book["Needs review"].iter_rows(min_row=2, values_only=True) if "Needs review" in book.sheetnames else []
reasons = [f"{row[0]}: {row[1]}" for row in needs if row[0] in truth]
review = len(reasons)

naive = {}
for name in truth:
    totals = [l for l in open(f"{work}/text/{name}.txt") if "total" in l.lower() and "sub" not in l.lower()]
    found = re.findall(r"\d+\.\d\d", totals[-1]) if totals else []
    if found:
        naive[name] = found[-1]

def score(answers):
    right = sum(1 for f, a in answers.items() if truth[f] == a)
    return right, len(answers) - right

e_right, e_wrong = score(read)
t_right, t_wrong = score(naive)
rate = lambda secs: count / secs if secs > 0 else float("nan")
print(f"{'tool':<10} {'receipts':>8} {'seconds':>8} {'receipts/s':>11} {'right':>6} {'wrong':>6} {'not read':>9}")
print(f"{'errand':<10} {count:>8} {errand_secs:>8.2f} {rate(errand_secs):>11.2f} {e_right:>6} {e_wrong:>6} {count - len(read):>9}")
print(f"{'tesseract':<10} {count:>8} {tesseract_secs:>8.2f} {rate(tesseract_secs):>11.2f} {t_right:>6} {t_wrong:>6} {count - len(naive):>9}")
print(f"\nerrand/tesseract receipts-per-second ratio: {rate(errand_secs) / rate(tesseract_secs):.2f}x")
print(f"errand: {e_right}/{count} amounts exactly right ({100 * e_right / count:.0f}%), {e_wrong} wrong, {review} on Needs review with a reason")
for reason in reasons:
    print(f"  needs review: {reason}")
print(f"tesseract + last amount on the TOTAL line: {t_right}/{count} right, {t_wrong} wrong")
EOF
