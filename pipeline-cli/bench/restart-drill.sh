#!/usr/bin/env bash
# Restart drill (issue 21): with nobody touching anything, ./fmnist's supervisor brings back what dies.
#   1. a run of 40 more epochs is POSTed; once it has trained 2 of them the trainer is kill -9'ed: the
#      supervisor restarts it, the trainer resumes from its latest snapshot and finishes the POSTed plan;
#   2. the inference service is kill -9'ed: it is restarted and classifies again;
#   3. ./fmnist status shows both restarts (restarts 1, exit 137).
# Works on the pipeline of FMNIST_HOME when one is up (the soak runs it on its own at the end), else starts
# one with ./fmnist up -d --fresh and stops it at the end. Fails (exit 1, the reason on stderr) on a
# component not restarted within 60 s, a run that does not complete within 5 min, or a status without the restarts.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
export FMNIST_HOME="${FMNIST_HOME:-$(mktemp -d /tmp/fmnist-drill.XXXXXX)}"
export FMNIST_DATA_DIR="${FMNIST_DATA_DIR:-$root/../shared/data/fashion-mnist}"
trainer="http://127.0.0.1:${FMNIST_TRAINER_PORT:-8082}"
inference="http://127.0.0.1:${FMNIST_INFERENCE_PORT:-8080}"
die() { echo "drill: FAIL: $*" >&2; exit 1; }
pid_of() { cat "$FMNIST_HOME/run/$1.pid" 2>/dev/null || echo "-"; }
field() { curl -sf "$trainer/api/v1/training" | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

if [ ! -d "/proc/$(pid_of supervisor)" ]; then
  trap '"$root/fmnist" down >/dev/null 2>&1 || true' EXIT
  "$root/fmnist" up -d --fresh > "$FMNIST_HOME/drill-up.txt" 2>&1 || { cat "$FMNIST_HOME/drill-up.txt"; die "up failed"; }
fi
admin=(-H "Authorization: Bearer $(cat "$FMNIST_HOME/admin-token")")
start=$(field epoch)
target=$((start + 40))
curl -sf -o /dev/null -X POST "${admin[@]}" -H 'Content-Type: application/json' -d "{\"epochs\": $target}" \
  "$trainer/api/v1/training" || die "POST /api/v1/training {\"epochs\": $target} refused"
deadline=$(( $(date +%s) + 120 ))
until [ "$(field epoch 2>/dev/null || echo 0)" -ge $((start + 2)) ]; do
  [ "$(date +%s)" -lt "$deadline" ] || die "the POSTed run did not reach epoch $((start + 2)) in 120 s"
  sleep 0.1
done
victim=$(pid_of trainer)
killed_at=$(field epoch)
kill -9 "$victim"
echo "drill: trainer (pid $victim) kill -9'ed at epoch $killed_at of a run to $target"
deadline=$(( $(date +%s) + 300 ))
while :; do
  [ "$(date +%s)" -lt "$deadline" ] || die "the run to epoch $target did not complete within 5 min of the kill"
  now=$(pid_of trainer)
  if [ "$now" != "$victim" ] && [ -d "/proc/$now" ] && [ "$(field state 2>/dev/null)" = COMPLETED ] \
      && [ "$(field epoch)" -ge "$target" ]; then
    break
  fi
  sleep 1
done
echo "drill: trainer restarted (pid $(pid_of trainer)) and completed the run: epoch $(field epoch), model v$(field modelVersion), in $(( $(date +%s) - deadline + 300 )) s"

victim=$(pid_of inference)
kill -9 "$victim"
killed=$(date +%s)
head -c 784 /dev/zero > "$FMNIST_HOME/zeros.raw"
until curl -sf -o /dev/null -H 'Content-Type: application/octet-stream' --data-binary @"$FMNIST_HOME/zeros.raw" \
    "$inference/api/v1/classify"; do
  [ $(( $(date +%s) - killed )) -lt 60 ] || die "inference did not classify again within 60 s of its kill"
  sleep 0.5
done
echo "drill: inference kill -9'ed (pid $victim), classifying again after $(( $(date +%s) - killed )) s (pid $(pid_of inference))"

status="$("$root/fmnist" status)"
echo "$status" | grep -E '^(trainer|inference|supervisor) '
echo "$status" | grep -qE '^trainer .*restarts 1 \(last: exit 137' || die "status does not show the trainer's restart"
echo "$status" | grep -qE '^inference .*restarts 1 \(last: exit 137' || die "status does not show inference's restart"
echo "drill: passed"
