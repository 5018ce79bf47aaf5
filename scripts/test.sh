#!/usr/bin/env bash
# scripts/test.sh — build LexOS and run every test (unit, integration, security, browser).
#
#   scripts/test.sh                 all tests
#   scripts/test.sh -R portal       arguments go to ctest (here: tests matching "portal")
#
# Installs the browser-test dependencies too once tests/browser/package.json exists, and clang
# for the fuzzing smoke run (ctest fuzz_smoke, label fuzz; `-LE fuzz` leaves it out).
# The exit code is ctest's; ctest prints the summary line ("100% tests passed, ...").
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# The tests write their own configuration. A LEXOS_<SECTION>_<KEY> override left in the shell
# (say LEXOS_SERVER_LISTEN from running scripts/run.sh on another port) would reach every lexosd
# and lexosctl they start and make them fail for a reason that is not theirs: drop it.
for var in $(compgen -e); do
  case "$var" in
    LEXOS_TEST_*|LEXOS_BUILD_DIR|LEXOS_CHROMIUM) ;;
    LEXOS_*) echo "scripts/test.sh: ignoring $var from the environment (tests write their own configuration)" >&2
             unset "$var" ;;
  esac
done
build_args=(--fuzz)
[[ -f tests/browser/package.json ]] && build_args+=(--browser)
bash scripts/build.sh "${build_args[@]}"

exec ctest --test-dir build --output-on-failure -j2 "$@"
