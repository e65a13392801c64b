#!/usr/bin/env bash
# Runs the given test files as `make check` does: in SHARDS processes at once, each running its
# share of the files in one process (--test-isolation=none). Starting node and tsx once per shard
# instead of once per file more than halves the CPU the edit-test loop costs; `make test` keeps
# every file in a process of its own. Each shard's output goes to LOG_DIR/check-N.log; a shard
# that fails has its failures printed, and the script exits 1.
# Usage: check-tests.sh SHARDS LOG_DIR FILE...
set -uo pipefail
shards=$1 log_dir=$2
shift 2
mkdir -p "$log_dir"
echo "check: $# test files in $shards processes (output in $log_dir/check-N.log)"
pids=()
for ((i = 1; i <= shards; i++)); do
  node --import tsx --test --test-isolation=none --test-force-exit --test-timeout=120000 \
    --test-shard="$i/$shards" "$@" >"$log_dir/check-$i.log" 2>&1 &
  pids+=($!)
done
failed=0
for ((i = 1; i <= shards; i++)); do
  if ! wait "${pids[$((i - 1))]}"; then
    failed=1
    echo "check: shard $i of $shards failed:"
    sed -n '/^✖ failing tests:/,$p' "$log_dir/check-$i.log"
    grep -q '^✖ failing tests:' "$log_dir/check-$i.log" || tail -n 40 "$log_dir/check-$i.log"
  fi
  grep -E '^ℹ (tests|pass|fail|duration_ms) ' "$log_dir/check-$i.log" | tr '\n' ' ' | sed "s/^/check: shard $i: /"
  echo
done
exit "$failed"
