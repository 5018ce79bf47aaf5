# bench/lib.sh — the helpers the bench scripts share. Sourced after the script has moved to the
# repository's root (`. bench/lib.sh`), never run on its own.

# die MESSAGE...: "bench/<script>: MESSAGE" on stderr, then exit 1.
die() { echo "bench/${0##*/}: $*" >&2; exit 1; }

# need_tools TOOL...: each on the PATH, or die naming it and how to get it.
need_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || die "$tool not found; run scripts/deps.sh --bench"
  done
}

# A free TCP port on 127.0.0.1 (the kernel's choice).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# wait_ready URL PID LOG: until URL answers 200 (at most 30 s), or die (with LOG's last lines) if
# PID exits first or time runs out.
wait_ready() {
  for _ in $(seq 300); do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "$1" || true)" == 200 ]] && return 0
    kill -0 "$2" 2>/dev/null || { tail -n 20 "$3" >&2; die "server exited before $1 answered (log above)"; }
    sleep 0.1
  done
  tail -n 20 "$3" >&2
  die "$1 did not answer 200 within 30 s"
}

# use_scratch: a throwaway directory in $tmp and a list of started processes in $pids; on exit
# (or Ctrl-C) each process gets SIGTERM and is waited for, then the directory goes.
use_scratch() {
  tmp="$(mktemp -d /tmp/lexos-bench.XXXXXX)"
  pids=()
  trap stop_scratch EXIT
  trap 'exit 130' INT TERM
}
stop_scratch() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf -- "$tmp"
}
