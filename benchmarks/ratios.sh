#!/usr/bin/env bash
# Runs the headline benchmarks with a short job and prints one line per ratio, "NAME RATIO",
# where RATIO = library mean / baseline mean from the same run (lower is better). Targets and
# whether they were met go to stderr, prefixed with '#'.
#
#   benchmarks/ratios.sh [ARTIFACTS_DIR]     # default: BenchmarkDotNet.Artifacts/ratios
#
# Everything BenchmarkDotNet exported (markdown and CSV per class, the full log) stays in
# ARTIFACTS_DIR; the ratio lines are also written to ARTIFACTS_DIR/ratios.txt.
# Exits non-zero when the run failed or a ratio could not be computed (not when a target is missed).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

out=${1:-BenchmarkDotNet.Artifacts/ratios}
rm -rf "$out/results" "$out"/BenchmarkRun-*.log "$out/run.log" "$out/means.txt" "$out/ratios.txt" "$out/load.txt"
mkdir -p "$out"
out=$(cd "$out" && pwd)

echo "before: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min); $(nproc) cores" >"$out/load.txt"
echo "# load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "# running the headline benchmarks (a few minutes); log: $out/run.log" >&2
# headline scope: 64 KiB and 16 MiB, FileStream only (see BenchmarkScope.cs).
# The short job (1 launch, 3 warm-ups) with 10 measured iterations instead of 3: fsync-bound
# cases vary too much for 3.
IMAGEDEDUP_BENCH_SCOPE=headline dotnet run -c Release --project benchmarks/ImageDedup.Benchmarks -- \
  --filter '*.HashVsHashDataBytes.*' '*.HashVsStreamHashData.*' '*.DuplicateIngestBenchmarks.*' \
           '*.NewIngestBenchmarks.*' '*.ReferenceBenchmarks.*' \
           '*.BatchNewIngestBenchmarks.*' '*.BatchDuplicateIngestBenchmarks.*' \
  --job short --iterationCount 10 --artifacts "$out" >"$out/run.log" 2>&1 || {
  echo "ratios.sh: the benchmark run failed; see $out/run.log" >&2
  exit 1
}
echo "after:  $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/load.txt"
echo "# load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# One line per benchmark case: CLASS METHOD SIZE SOURCE MEAN_NS, from BenchmarkDotNet's CSV
# export (semicolon-separated, invariant numbers with ',' grouping, units only in the header).
means="$out/means.txt"
: >"$means"
for csv in "$out"/results/*-report.csv; do
  [ -e "$csv" ] || continue
  class=$(basename "$csv" -report.csv)
  class=${class##*.}
  awk -F';' -v class="$class" '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    {
      mean = $col["Mean [ns]"]; gsub(/[",]/, "", mean)
      size = ("Size" in col) ? $col["Size"] : "-"
      source = ("Source" in col) ? $col["Source"] : "-"
      print class, $col["Method"], size, source, mean
    }' "$csv" >>"$means"
done

status=0
: >"$out/ratios.txt"
# ratio NAME CLASS LIBRARY_METHOD BASELINE_METHOD SIZE SOURCE TARGET
ratio() {
  local value
  value=$(awk -v c="$2" -v l="$3" -v b="$4" -v s="$5" -v src="$6" '
    $1 == c && $3 == s && $4 == src && $5 ~ /^[0-9.]+$/ { if ($2 == l) lib = $5; if ($2 == b) base = $5 }
    END { if (lib == "" || base == "" || base + 0 == 0) print "NA"; else printf "%.3f\n", lib / base }' "$means")
  echo "$1 $value" | tee -a "$out/ratios.txt"
  if [ "$value" = "NA" ]; then
    status=1
    echo "#   $1: no result for $3 or $4 (size $5, source $6)" >&2
  elif [ -n "$7" ]; then
    awk -v n="$1" -v r="$value" -v t="$7" 'BEGIN {
      if (r <= t) printf "#   %s: target <= %s met\n", n, t
      else printf "#   %s: target <= %s MISSED by %.0f%%\n", n, t, (r / t - 1) * 100 }' >&2
  fi
}

mib16=16777216
kib64=65536
ratio hash-vs-hashdata-bytes       HashVsHashDataBytes       HashAsync    HashDataBytes  $mib16 File 1.05
ratio hash-vs-hashdata-stream      HashVsStreamHashData      HashAsync    HashDataStream $mib16 File 0.85
ratio dup-ingest-vs-hash           DuplicateIngestBenchmarks Ingest       HashAlone      $mib16 -    1.1
ratio new-ingest-vs-hash-write     NewIngestBenchmarks       Ingest       HashAndWrite   $mib16 -    1.3
ratio add-ref-vs-update            ReferenceBenchmarks       AddReference RawUpdate      -      -    2.0
ratio release-ref-vs-update        ReferenceBenchmarks       Release      RawUpdate      -      -    2.0
ratio hash-vs-hashdata-bytes-64k   HashVsHashDataBytes       HashAsync    HashDataBytes  $kib64 File ""
ratio hash-vs-hashdata-stream-64k  HashVsStreamHashData      HashAsync    HashDataStream $kib64 File ""
ratio dup-ingest-vs-hash-64k       DuplicateIngestBenchmarks Ingest       HashAlone      $kib64 -    ""
ratio new-ingest-vs-hash-write-64k NewIngestBenchmarks       Ingest       HashAndWrite   $kib64 -    ""
# Batch ingest (group commit), 1,000 images of 64 KiB: new ones against hashing and writing them with
# one flush at the end; stored ones (a re-run) against hashing them one after another, and, for
# reference only, against hashing them on every core.
ratio batch-new-ingest-vs-hash-write-64k    BatchNewIngestBenchmarks       IngestMany HashWriteFlushOnce $kib64 - 1.3
ratio batch-dup-ingest-vs-hash-64k          BatchDuplicateIngestBenchmarks IngestMany HashAll            $kib64 - 1.2
ratio batch-dup-ingest-vs-parallel-hash-64k BatchDuplicateIngestBenchmarks IngestMany HashAllOnEveryCore $kib64 - ""
exit "$status"
