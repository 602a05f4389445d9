#!/usr/bin/env bash
# Benchmark (not a test): errand's offline "organize by type and date" against the shell loop
# people would otherwise write, on the same generated folder.
#
#   bench/organize.sh [FILES]      FILES defaults to 10000
#
# Needs GNU time at /usr/bin/time for peak memory (Debian/Ubuntu: apt-get install time).
# Sourcing this file only defines the functions, so the shell half can be tried alone:
#   source bench/organize.sh && organize_with_shell DIR

TIME=/usr/bin/time

# Category of a lowercased extension; mirrors the common cases of errand's own mapping.
category_of() {
    case $1 in
        pdf | doc | docx | odt | rtf | txt | md | markdown | tex | xls | xlsx | ods | csv | tsv | ppt | pptx | odp | epub | log)
            echo Documents ;;
        jpg | jpeg | jpe | png | gif | bmp | tif | tiff | webp | heic | heif | svg | raw | cr2 | nef | arw | dng)
            echo Images ;;
        mp3 | wav | flac | aac | ogg | m4a | wma | aif | aiff | opus)
            echo Audio ;;
        mp4 | mov | avi | mkv | wmv | webm | m4v | mpg | mpeg | 3gp)
            echo Video ;;
        zip | tar | gz | tgz | bz2 | xz | 7z | rar | zst | iso | dmg)
            echo Archives ;;
        py | rs | js | ts | java | c | h | cpp | go | rb | php | sh | bash | html | htm | css | json | yaml | yml | toml | xml | sql)
            echo Code ;;
        *)
            echo Other ;;
    esac
}

# The naive baseline: move every non-hidden regular file of $1 to
# <Category>/<YYYY>/<MM>/<name> by extension and mtime, never overwriting (mv -n).
organize_with_shell() {
    cd "$1" || return
    local entries entry month f name ext dest_dir
    # List first (with each file's month, in one find), so the loop is only mkdir -p + mv;
    # moving while find still walks the tree would revisit moved files.
    mapfile -d '' entries < <(find . -type f -not -path '*/.*' -printf '%TY/%Tm\t%p\0')
    for entry in "${entries[@]}"; do
        month=${entry%%$'\t'*}
        f=${entry#*$'\t'}
        name=${f##*/}
        ext=""
        [[ $name == ?*.* ]] && ext=${name##*.}
        dest_dir="$(category_of "${ext,,}")/$month"
        mkdir -p "$dest_dir"
        mv -n "$f" "$dest_dir/$name"
    done
}

# Regular, non-hidden files under $1 (the files both tools are asked to organize). Paths
# are taken relative to $1 so a hidden directory above it (~/.cache/...) does not count.
count_files() (
    cd "$1" || exit
    find . -type f -not -path '*/.*' | wc -l
)

# Of those, how many ended up in a category folder (a sanity check, not a score).
count_sorted() (
    cd "$1" || exit
    find . -type f -not -path '*/.*' \
        | grep -cE '^\./(Documents|Images|Audio|Video|Archives|Code|Other)/' || true
)

main() {
    set -euo pipefail
    local n=${1:-10000}
    if [[ ! $n =~ ^[0-9]+$ ]]; then
        echo "usage: $0 [FILES]" >&2
        exit 64
    fi
    if [[ ! -x $TIME ]]; then
        echo "$TIME (GNU time) is missing; install it with: sudo apt-get install time" >&2
        exit 2
    fi

    local root target errand
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    target=${CARGO_TARGET_DIR:-$root/target}
    errand=$target/release/errand

    echo "== building errand (release)" >&2
    (cd "$root" && cargo build --release -p errand)

    work=$(mktemp -d "${TMPDIR:-/tmp}/errand-bench.XXXXXX")
    trap 'rm -rf "$work"' EXIT

    echo "== generating $n files" >&2
    "$errand" demo-folder "$work/source" --files "$n" >/dev/null
    cp -a "$work/source" "$work/errand"
    cp -a "$work/source" "$work/shell"
    mkdir "$work/home"
    local total
    total=$(count_files "$work/source")

    echo "== errand run (offline planner, --mode auto)" >&2
    # Isolated home and config, and no model keys, so the offline planner is what gets
    # measured and the user's own task store is never touched.
    if ! env -u ANTHROPIC_API_KEY -u OPENAI_API_KEY -u OPENAI_BASE_URL -u ERRAND_MODEL \
        ERRAND_HOME="$work/home" XDG_DATA_HOME="$work/home/data" \
        XDG_CONFIG_HOME="$work/home/config" XDG_STATE_HOME="$work/home/state" \
        "$TIME" -f "%e %M" -o "$work/errand.time" \
        "$errand" run "organize by type and date" --folder "$work/errand" --mode auto --json \
        >/dev/null; then
        echo "errand run failed; timing:" >&2
        cat "$work/errand.time" >&2
        exit 1
    fi

    echo "== shell loop (one find for the months, then mkdir -p + mv -n per file)" >&2
    export -f organize_with_shell category_of
    # shellcheck disable=SC2016 # $1 is expanded by the inner bash
    "$TIME" -f "%e %M" -o "$work/shell.time" \
        bash -c 'organize_with_shell "$1"' _ "$work/shell"

    local e_secs e_kb s_secs s_kb
    read -r e_secs e_kb < <(tail -n 1 "$work/errand.time")
    read -r s_secs s_kb < <(tail -n 1 "$work/shell.time")

    awk -v n="$total" -v es="$e_secs" -v ek="$e_kb" -v ss="$s_secs" -v sk="$s_kb" '
        function rate(secs) { return n / (secs > 0 ? secs : 0.01) }
        BEGIN {
            printf "\n%-8s %8s %9s %10s %8s\n", "tool", "files", "seconds", "files/s", "peak MB"
            printf "%-8s %8d %9.2f %10.0f %8.1f\n", "errand", n, es, rate(es), ek / 1024
            printf "%-8s %8d %9.2f %10.0f %8.1f\n", "shell", n, ss, rate(ss), sk / 1024
            printf "\nerrand/shell files-per-second ratio: %.2fx\n", rate(es) / rate(ss)
        }'
    echo "sorted into category folders: errand $(count_sorted "$work/errand")/$total," \
        "shell $(count_sorted "$work/shell")/$total (shell's mv -n skips name clashes)"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    main "$@"
fi
