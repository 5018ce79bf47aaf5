#!/usr/bin/env bash
# scripts/fuzz.sh — run a libFuzzer target (tests/fuzz/TARGET.cpp) for a while.
#
#   scripts/fuzz.sh TARGET SECONDS      one target, e.g. scripts/fuzz.sh cookie 60
#   scripts/fuzz.sh all SECONDS         every target in turn, SECONDS each
#   scripts/fuzz.sh --list              the targets
#
# Builds build-fuzz/ first when needed (clang++, -DLEXOS_FUZZ=ON: ASan + UBSan + libFuzzer; install
# the compiler with scripts/deps.sh --fuzz). Runs on a copy of tests/fuzz/corpus/TARGET (new
# inputs go to build-fuzz/corpus/TARGET, not into the repository), prints the executions and
# crashes of each target, and exits non-zero when any target crashed or could not run. A crash
# leaves its input as build-fuzz/artifacts/TARGET/crash-*: reproduce it with
# build-fuzz/bin/fuzz_TARGET FILE. FUZZ_JOBS=N runs N processes of one target (default 1);
# extra libFuzzer flags go in FUZZ_FLAGS.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; }
targets() { for f in tests/fuzz/*.cpp; do basename "$f" .cpp; done; }

case "${1:-}" in
  --list) targets; exit 0 ;;
  -h|--help|"") usage; [[ -n "${1:-}" ]]; exit $? ;;
esac
target="$1"
seconds="${2:?scripts/fuzz.sh: give the seconds to run, e.g. scripts/fuzz.sh $1 60}"
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: SECONDS must be a whole number, got '$seconds'" >&2; exit 2; }
if [[ "$target" == all ]]; then
  list=($(targets))
else
  [[ -f "tests/fuzz/$target.cpp" ]] || { echo "fuzz.sh: no target '$target' (have: $(targets | tr '\n' ' '))" >&2; exit 2; }
  list=("$target")
fi

cxx="${FUZZ_CXX:-$(command -v clang++ || command -v clang++-14 || true)}"
if [[ -z "$cxx" ]]; then
  echo "fuzz.sh: FAIL: clang++ not found; install it with scripts/deps.sh --fuzz (Debian: clang, libclang-rt-14-dev)" >&2
  exit 3
fi
if [[ ! -f build-fuzz/CMakeCache.txt ]]; then
  cmake -S . -B build-fuzz -DLEXOS_FUZZ=ON -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
else
  cmake build-fuzz >/dev/null  # picks up a target added since (a few seconds)
fi
jobs="${BUILD_JOBS:-$(nproc)}"
if ! cmake --build build-fuzz -j "$jobs" --target $(printf 'fuzz_%s ' "${list[@]}") >&2; then
  echo "fuzz.sh: FAIL: building the fuzz targets in build-fuzz/ failed (see above)" >&2
  exit 4
fi

failed=0
for t in "${list[@]}"; do
  bin="build-fuzz/bin/fuzz_$t"
  corpus="build-fuzz/corpus/$t"
  artifacts="build-fuzz/artifacts/$t"
  log="build-fuzz/logs/$t.log"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  [[ -d "tests/fuzz/corpus/$t" ]] && cp -n "tests/fuzz/corpus/$t"/* "$corpus"/ 2>/dev/null || true
  before=$(find "$artifacts" -type f | wc -l)
  n="${FUZZ_JOBS:-1}"
  flags=(-max_total_time="$seconds" -artifact_prefix="$artifacts/" -print_final_stats=1 -max_len=8192 -timeout=10
         -rss_limit_mb=2048 ${FUZZ_FLAGS:-})
  dict="tests/fuzz/$t.dict"
  [[ -f "$dict" ]] && flags+=(-dict="$dict")
  rc=0
  if ((n > 1)); then
    ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" "$bin" "${flags[@]}" -jobs="$n" -workers="$n" "$corpus" >"$log" 2>&1 || rc=$?
    cat fuzz-*.log >>"$log" 2>/dev/null; rm -f fuzz-*.log
  else
    ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" "$bin" "${flags[@]}" "$corpus" >"$log" 2>&1 || rc=$?
  fi
  execs=$(awk '/stat::number_of_executed_units:/ { s += $2 } END { print s + 0 }' "$log")
  crashes=$(( $(find "$artifacts" -type f | wc -l) - before ))
  if ((rc != 0 || crashes > 0)); then
    failed=1
    echo "fuzz $t: FAIL: exit $rc, $execs executions in ${seconds}s, $crashes new crash input(s) in $artifacts/ (log: $log)"
    grep -m5 -E 'ERROR: |runtime error|property failed|deadly signal|uncaught' "$log" | sed 's/^/  /' || true
  else
    echo "fuzz $t: ok: $execs executions in ${seconds}s, 0 crashes, corpus $(ls "$corpus" | wc -l) inputs"
  fi
done
exit "$failed"
