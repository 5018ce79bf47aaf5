# tests/support/checks.sh — the shell test scripts' check helpers (tests/integration/install_test.sh,
# tests/package/deb_test.sh). Sourced, never run: `. "$(dirname "${BASH_SOURCE[0]}")/../support/checks.sh"`.
# Each check prints PASS or FAIL and is counted; `summary` prints the counts and fails if any failed.

PASSED=0
FAILED=0

pass() { PASSED=$((PASSED + 1)); echo "PASS: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*"; }
# check DESCRIPTION COMMAND...: runs the command quietly, records the outcome.
check() {
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then pass "$what"; else fail "$what"; fi
}
summary() {
  echo "$PASSED passed, $FAILED failed"
  [[ $FAILED -eq 0 ]]
}
