#!/usr/bin/env bash
# Cluster drill (issue 25): ./fmnist up --brokers 3 from a fresh state folder serves v10 with the seed's numbers
# (train loss 0.4472, test accuracy 0.8273) although one broker is kill -9'ed during training and left down:
#   1. ./fmnist up -d --fresh --brokers 3 starts in the background;
#   2. before training begins the victim is chosen: NODE (the first argument), else the leader of fmnist.snapshots
#      as ./fmnist status shows it;
#   3. once the trainer has committed its first snapshot, ./fmnist kill-broker NODE (SIGKILL; the supervisor
#      leaves it down); the run must go on to v10 by itself, with the seed's numbers;
#   4. ./fmnist status shows the node down; ./fmnist start-broker NODE brings it back and the cluster ends with
#      no under-replicated partition.
# Uses FMNIST_HOME and the FMNIST_*_PORT variables as given (a fresh temporary home by default). Fails (exit 1,
# the reason on stderr) when the kill does not land during training, up fails, the numbers differ, or the node
# does not come back in sync within 120 s. Prints the times (up to v10, kill to v10, start-broker to in sync).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
export FMNIST_HOME="${FMNIST_HOME:-$(mktemp -d /tmp/fmnist-cluster-drill.XXXXXX)}"
export FMNIST_DATA_DIR="${FMNIST_DATA_DIR:-$root/../shared/data/fashion-mnist}"
trainer="http://127.0.0.1:${FMNIST_TRAINER_PORT:-8082}"
ingest="http://127.0.0.1:${FMNIST_INGEST_PORT:-8081}"
victim="${1:-}"
die() { echo "cluster-drill: FAIL: $*" >&2; exit 1; }
field() { curl -sf "$trainer/api/v1/training" | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.1f}')"; }

mkdir -p "$FMNIST_HOME"
up_log="$FMNIST_HOME/cluster-drill-up.txt"
trap '"$root/fmnist" down >/dev/null 2>&1 || true' EXIT
echo "cluster-drill: FMNIST_HOME=$FMNIST_HOME; $(uptime)"
t0=$(now)
"$root/fmnist" up -d --fresh --brokers 3 > "$up_log" 2>&1 &
up_pid=$!

# The victim, while ingest publishes (leaders do not move without a failure, and training has not begun).
until curl -sf -o /dev/null "$ingest/q/health/live"; do
  kill -0 $up_pid 2>/dev/null || { cat "$up_log"; die "up ended before ingest answered"; }
  sleep 0.2
done
if [ -z "$victim" ]; then
  victim=$("$root/fmnist" status | sed -nE 's/^  fmnist\.snapshots: leader node ([0-9]+).*/\1/p')
  [ -n "$victim" ] || die "status shows no leader of fmnist.snapshots"
  echo "cluster-drill: node $victim leads fmnist.snapshots: it is the victim"
fi

# The first snapshot committed (the transaction state exists), training not done: kill.
until [ "$(field modelVersion 2>/dev/null || echo 0)" -ge 1 ]; do
  kill -0 $up_pid 2>/dev/null || { cat "$up_log"; die "up ended before the first snapshot"; }
  sleep 0.05
done
"$root/fmnist" kill-broker "$victim"
killed=$(now)
state=$(field state); epoch=$(field epoch)
echo "cluster-drill: killed node $victim with the trainer $state at epoch $epoch of 10"
[ "$state" != COMPLETED ] && [ "$epoch" -lt 10 ] || die "the kill came after training had ended (state $state, epoch $epoch)"

wait $up_pid || { cat "$up_log"; die "up --brokers 3 failed after the kill"; }
served=$(now)
cat "$up_log"
grep -q 'serving model v10 (epoch 10, train loss 0.4472, test accuracy 0.8273)' "$up_log" \
  || die "the run did not serve v10 with the seed's numbers (0.4472 / 0.8273)"
echo "cluster-drill: v10 served $(secs "$t0" "$served") s after up began, $(secs "$killed" "$served") s after the kill"

status="$("$root/fmnist" status)"
echo "$status" | sed -n '/^brokers:/,/^$/p'
echo "$status" | grep -qE "^  node $victim .*down \(kill-broker" || die "status does not show node $victim held down"

"$root/fmnist" start-broker "$victim"
started=$(now)
deadline=$(( $(date +%s) + 120 ))
in_sync() {
  local s
  s="$("$root/fmnist" status)"
  echo "$s" | grep -qE "^  node $victim .*up, pid" || return 1
  ! echo "$s" | grep -E '^  node [0-9]' | grep -v ', 0 under-replicated' | grep -q .
}
until in_sync; do
  [ "$(date +%s)" -lt "$deadline" ] || die "node $victim not back in sync within 120 s"
  sleep 2
done
echo "cluster-drill: node $victim back, no under-replicated partition $(secs "$started" "$(now)") s after start-broker"
"$root/fmnist" status | sed -n '/^brokers:/,/^$/p'
echo "cluster-drill: passed in $(secs "$t0" "$(now)") s; $(uptime)"
