#!/usr/bin/env bash
# Fuzzes the structure walkers (src/ImageDedup/Ingest/Structure) with AFL++ through SharpFuzz:
# publishes fuzz/ImageDedup.Fuzz, instruments ImageDedup.dll's walker namespace, seeds afl-fuzz
# with the fixtures, and runs for FUZZ_SECONDS (default 660). Every input that crashed or hung is
# copied into tests/fixtures/fuzz-regressions, which a fast test in ./test.sh replays. Ends with the
# executions and the edges covered; exits non-zero when anything was found.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-660}
work=${FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/imagededup-fuzz.XXXXXX")}
regressions=tests/fixtures/fuzz-regressions

if ! command -v afl-fuzz >/dev/null; then
  [ "$(id -u)" -eq 0 ] || { echo "fuzz/run.sh: install afl++ (apt-get install afl++)" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends afl++ >/dev/null
fi
(cd fuzz && dotnet tool restore >/dev/null)

dotnet publish fuzz/ImageDedup.Fuzz -c Release -o "$work/bin" -nologo -v quiet -clp:ErrorsOnly
(cd fuzz && dotnet tool run sharpfuzz "$work/bin/ImageDedup.dll" ImageDedup.Ingest.Structure)

# Seeds: the fixtures and the earlier findings, each cut to its first 16 KiB (afl-fuzz wants small inputs).
mkdir -p "$work/seeds"
find tests/fixtures/images "$regressions" -type f | while read -r f; do
  head -c 16384 "$f" >"$work/seeds/$(echo "$f" | tr '/' '_')"
done

export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
afl-fuzz -i "$work/seeds" -o "$work/findings" -t 2000 -m none -V "$seconds" -- dotnet "$work/bin/ImageDedup.Fuzz.dll" >"$work/afl.log" 2>&1 || {
  tail -n 40 "$work/afl.log" >&2
  echo "fuzz/run.sh: afl-fuzz failed; the log is $work/afl.log" >&2
  exit 1
}

found=0
mkdir -p "$regressions"
for f in "$work"/findings/default/crashes/id:* "$work"/findings/default/hangs/id:*; do
  [ -e "$f" ] || continue
  found=$((found + 1))
  cp "$f" "$regressions/$(basename "$(dirname "$f")")-$(sha256sum "$f" | cut -c1-16)"
done

stats="$work/findings/default/fuzzer_stats"
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|edges_found|total_edges|bitmap_cvg|saved_crashes|saved_hangs|unique_crashes|unique_hangs)' "$stats" || true
echo "fuzz/run.sh: $found failing inputs copied to $regressions (work folder: $work)"
[ "$found" -eq 0 ]
