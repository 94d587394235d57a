#!/usr/bin/env bash
# Makes a corpus for benchmarks/cli-vs-peers.sh: COUNT files (default 20,000) of real encoded images
# (PNG, JPEG, WebP, GIF) from a few KiB to several MiB, with exact duplicates, non-images, symlinks
# (and one symlink loop) among them, spread over nested folders where names repeat.
#
# Encoding 20,000 distinct images would take hours, so a few hundred distinct images are encoded
# with ImageMagick / cwebp, and the rest are derived by cheap byte changes that keep every file a
# valid image with new bytes: a PNG tEXt chunk, a JPEG COM segment, a GIF comment extension, a
# WebP XMP chunk. About 1 in 5 files is an exact copy of another.
#
# Usage: benchmarks/make-corpus.sh DIR [COUNT]     (DIR must not exist; deterministic for a COUNT)
set -euo pipefail
out=${1:?usage: make-corpus.sh DIR [COUNT]}
count=${2:-20000}
[ -e "$out" ] && { echo "make-corpus.sh: $out exists" >&2; exit 2; }

need=()
command -v convert >/dev/null && convert -version 2>/dev/null | grep -q ImageMagick || need+=(imagemagick)
command -v cwebp >/dev/null && command -v webpmux >/dev/null || need+=(webp)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

bases=$(mktemp -d "${TMPDIR:-/tmp}/corpus-bases.XXXXXX")
trap 'rm -rf "$bases"' EXIT
python3 "$(dirname "$0")/cli/corpus.py" plan "$bases" > "$bases/commands.txt"
echo "make-corpus.sh: encoding $(wc -l < "$bases/commands.txt") distinct images with $(nproc) processes" >&2
tr '\n' '\0' < "$bases/commands.txt" | xargs -0 -P "$(nproc)" -I{} sh -c '{}'
python3 "$(dirname "$0")/cli/corpus.py" derive "$bases" "$out" "$count"
