#!/usr/bin/env bash
# The imagededup tool against the plain tools a user would compare it with, on one folder
# (make one with benchmarks/make-corpus.sh). hyperfine, warm cache, median of RUNS (>= 5) runs:
#
#   ingest  `imagededup ingest FOLDER` into a fresh store
#           vs a durable copy of the image files: `cp -r` then `sync -f`
#   rerun   `imagededup ingest FOLDER` again into the full store (nothing new)
#           vs `sha256sum` over every file in as many processes as cores
#   scan    `imagededup scan FOLDER`  vs  `jdupes -r FOLDER`
#
# Prints one "NAME RATIO" line per comparison (imagededup's median / the peer's); hyperfine's
# own tables and JSON go to OUT (default: a temp folder, printed at the end).
#
# Usage: benchmarks/cli-vs-peers.sh FOLDER [OUT]      (RUNS=5 by default)
set -euo pipefail
folder=$(realpath "${1:?usage: cli-vs-peers.sh FOLDER [OUT]}")
out=${2:-$(mktemp -d "${TMPDIR:-/tmp}/cli-vs-peers.XXXXXX")}
runs=${RUNS:-5}
repo=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"

need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v jdupes >/dev/null || need+=(jdupes)
command -v jq >/dev/null || need+=(jq)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

dotnet build "$repo/src/ImageDedup.Cli" -c Release -nologo -clp:ErrorsOnly >/dev/null
tool="dotnet $repo/src/ImageDedup.Cli/bin/Release/net10.0/ImageDedup.Cli.dll"
work=$(mktemp -d "${TMPDIR:-/tmp}/cli-vs-peers-work.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Same file system as the stores, so the copy pays the same device's flushes.
store="$work/store"
copy="$work/copy"

median() { jq -r ".results[$2].median" "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "cli-vs-peers.sh: $(find "$folder" -type f | wc -l) files, $(du -sh --apparent-size "$folder" | cut -f1) in $folder; $runs runs; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# Warm the page cache once; a full ingest is too long to spend a warm-up run on it.
find "$folder" -type f -print0 | xargs -0 cat > /dev/null
hyperfine --warmup 0 --runs "$runs" --export-json "$out/ingest.json" --export-markdown "$out/ingest.md" \
  --prepare "rm -rf '$store' '$copy'" \
  -n imagededup-ingest "$tool ingest '$folder' --store '$store' > /dev/null" \
  -n cp-sync "cp -r '$folder' '$copy' && sync -f '$copy'" >&2

# The store is full after the last ingest run above; prepare it again in case the order changed.
$tool ingest "$folder" --store "$store" > /dev/null || true
hyperfine --warmup 1 --runs "$runs" --export-json "$out/rerun.json" --export-markdown "$out/rerun.md" \
  -n imagededup-rerun "$tool ingest '$folder' --store '$store' > /dev/null" \
  -n sha256sum-parallel "find '$folder' -type f -print0 | xargs -0 -P$(nproc) -n 256 sha256sum > /dev/null" >&2

hyperfine --warmup 1 --runs "$runs" --export-json "$out/scan.json" --export-markdown "$out/scan.md" \
  -n imagededup-scan "$tool scan '$folder' > /dev/null" \
  -n jdupes "jdupes -r '$folder' > /dev/null" >&2

echo "ingest $(ratio "$(median "$out/ingest.json" 0)" "$(median "$out/ingest.json" 1)")"
echo "rerun $(ratio "$(median "$out/rerun.json" 0)" "$(median "$out/rerun.json" 1)")"
echo "scan $(ratio "$(median "$out/scan.json" 0)" "$(median "$out/scan.json" 1)")"
echo "cli-vs-peers.sh: hyperfine tables in $out" >&2
