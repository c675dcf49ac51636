#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers that take outside input: AFL++ (Debian's afl++) drives each target of
# bench/fuzz/GateWatch.Fuzz through SharpFuzz, over product assemblies instrumented by the SharpFuzz tool.
#   bench/fuzz/run.sh [seconds-per-target] [target...]
# Starts from bench/fuzz/corpus/<target>/ with the tokens of bench/fuzz/dict/<target>.dict, and works in artifacts/fuzz/ (ignored by git): the corpus in the
# repository is never changed by a run. Prints executions, paths, coverage, crashes and hangs per target, and
# replays each crash in-process to show its exception. Exits 1 when any target crashed or hung.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SECONDS_PER_TARGET="${1:-300}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(gate-spec agent-config event-ingest evidence ffmpeg-output)
WORK="$ROOT/artifacts/fuzz"
PROJECT="$ROOT/bench/fuzz/GateWatch.Fuzz"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v afl-fuzz > /dev/null; then
  echo "fuzz: installing afl++ from Debian"
  as_root apt-get update -qq
  as_root apt-get install -y -qq afl++ > /dev/null
fi

TOOLS="$WORK/tools"
if [ ! -x "$TOOLS/sharpfuzz" ]; then
  echo "fuzz: installing the SharpFuzz.CommandLine tool"
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$TOOLS" > /dev/null
fi

echo "fuzz: building the harness"
dotnet build "$PROJECT" -c Release -warnaserror -nologo -v q
# The committed corpus holds the inputs of every bug fuzzing found so far: a fix undone shows here, before any fuzzing.
for target in "${TARGETS[@]}"; do
  dotnet "$PROJECT/bin/Release/net10.0/GateWatch.Fuzz.dll" "$target" --replay "$ROOT/bench/fuzz/corpus/$target"
done
# Instrumenting rewrites the assemblies in place, so it works on a fresh copy of the build each run: the build's own
# output stays uninstrumented, for --replay and for the next incremental build.
BIN="$WORK/bin"
rm -rf "$BIN"
cp -r "$PROJECT/bin/Release/net10.0" "$BIN"
for dll in GateAgent.dll GateConsole.dll; do
  "$TOOLS/sharpfuzz" "$BIN/$dll" > /dev/null
done

# A shared machine: no pinning to a core another process may need, no frequency checks, no core_pattern demands.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
# The .NET runtime takes seconds to start and JIT the harness before the first input.
export AFL_FORKSRV_INIT_TMOUT=60000

stat_of() { sed -n "s/^$2 *: *//p" "$1" | head -1; }

failed=0
summary=()
for target in "${TARGETS[@]}"; do
  out="$WORK/out/$target"
  rm -rf "$out"
  mkdir -p "$out"
  echo "fuzz: $target for ${SECONDS_PER_TARGET}s"
  # -t: an input that runs longer than 5 s is a hang; -V: stop after the given time; -x: the target's field names,
  # numbers and escapes that break parsers (a NUL, half a surrogate pair, 1e308), which byte flips rarely spell.
  afl-fuzz -i "$ROOT/bench/fuzz/corpus/$target" -o "$out" -x "$ROOT/bench/fuzz/dict/$target.dict" -t 5000 -m none -V "$SECONDS_PER_TARGET" \
    -- dotnet "$BIN/GateWatch.Fuzz.dll" "$target" > "$out/afl.log" 2>&1 || {
    echo "fuzz: afl-fuzz failed for $target; the end of its log:" >&2
    tail -20 "$out/afl.log" >&2
    failed=1
    summary+=("$(printf '%-14s afl-fuzz failed' "$target")")
    continue
  }
  stats="$out/default/fuzzer_stats"
  crashes="$(stat_of "$stats" saved_crashes)"
  hangs="$(stat_of "$stats" saved_hangs)"
  summary+=("$(printf '%-14s %10s %9s %8s %8s %9s %8s %8s' "$target" "$(stat_of "$stats" execs_done)" "$(stat_of "$stats" execs_per_sec)" \
    "$(stat_of "$stats" corpus_count)" "$(stat_of "$stats" edges_found)" "$(stat_of "$stats" stability)" "$crashes" "$hangs")")
  if [ "${crashes:-0}" != 0 ] || [ "${hangs:-0}" != 0 ]; then
    failed=1
    echo "fuzz: $target: $crashes crashes, $hangs hangs in $out/default; replayed:"
    dotnet "$PROJECT/bin/Release/net10.0/GateWatch.Fuzz.dll" "$target" --replay "$out/default/crashes" "$out/default/hangs" | grep -v '^   at System\.' || true
  fi
done

echo
printf '%-14s %10s %9s %8s %8s %9s %8s %8s\n' target execs execs/s paths edges stability crashes hangs
printf '%s\n' "${summary[@]}"
exit "$failed"
