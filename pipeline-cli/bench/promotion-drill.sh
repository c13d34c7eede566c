#!/usr/bin/env bash
# Promotion and drift drill (issue 24), on a pipeline started by ./fmnist up with continuous training on and the
# default promotion policy (gated):
#   1. poisoning: 20,000 training images uploaded with a wrong label (true label + 3 mod 10) in 2,000-image zips
#      through POST /api/v1/images/bulk; for 150 s the served model's accuracy on the first 2,000 test images (REST
#      JSON batches) must stay within 0.005 of where it was, and fmnist.alerts must carry `refused` alerts;
#   2. a diverged admin run (learning rate 1000) is never served: its snapshots end refused, accuracy unchanged;
#   3. drift: 100,000 ordinary test images (the test split ten times, shuffled, JSON batches) raise no drift alert;
#      then dark-on-light images (255 - pixel of test images, raw bodies, as a user forgetting invert=true sends them)
#      raise one within the first 1,000.
# Prints each figure; exits 1 with the reasons when a check fails. Usage: pipeline-cli/bench/promotion-drill.sh
# Env: FMNIST_HOME (default a temp folder), FMNIST_*_PORT (default 287xx), FMNIST_DATA_DIR, DRILL_WATCH_S (150).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
for tool in kcat curl python3; do
  command -v "$tool" >/dev/null || { echo "drill: $tool not found (apt-get install kcat curl python3)" >&2; exit 1; }
done
export FMNIST_HOME="${FMNIST_HOME:-$(mktemp -d /tmp/fmnist-promotion.XXXXXX)}"
export FMNIST_DATA_DIR="${FMNIST_DATA_DIR:-$root/../shared/data/fashion-mnist}"
export FMNIST_KAFKA_PORT="${FMNIST_KAFKA_PORT:-28792}" FMNIST_KAFKA_CONTROLLER_PORT="${FMNIST_KAFKA_CONTROLLER_PORT:-28793}"
export FMNIST_INFERENCE_PORT="${FMNIST_INFERENCE_PORT:-28780}" FMNIST_INGEST_PORT="${FMNIST_INGEST_PORT:-28781}"
export FMNIST_TRAINER_PORT="${FMNIST_TRAINER_PORT:-28782}" FMNIST_CONSOLE_PORT="${FMNIST_CONSOLE_PORT:-28783}"
# the live pipeline's mode: training goes on after the planned epochs, on every image that arrives
export FMNIST_TRAINER_CONTINUOUS=true
watch_s="${DRILL_WATCH_S:-150}"
work="$FMNIST_HOME/drill"
mkdir -p "$work"
failures=()
fail() { echo "drill: FAIL: $*" >&2; failures+=("$*"); }
probe="$root/pipeline-cli/bench/drill_probe.py"
broker="127.0.0.1:$FMNIST_KAFKA_PORT"
alerts() { # kind -> count of alerts of that kind on fmnist.alerts so far
  kcat -b "$broker" -C -t fmnist.alerts -o beginning -e -q 2>/dev/null | grep -c "\"kind\":\"$1\"" || true
}

trap '"$root/fmnist" down >/dev/null 2>&1 || true' EXIT
echo "== ./fmnist up -d --fresh, continuous training on (FMNIST_HOME=$FMNIST_HOME) =="
started=$(date +%s)
"$root/fmnist" up -d --fresh > "$work/up.txt" 2>&1 || { cat "$work/up.txt"; echo "drill: up failed" >&2; exit 1; }
grep -E "serving model" "$work/up.txt" | sed 's/^/  /' || true
echo "  up in $(( $(date +%s) - started )) s"
export DRILL_WRITER="$(cat "$FMNIST_HOME/writer-token")" DRILL_ADMIN="$(cat "$FMNIST_HOME/admin-token")"
P() { python3 "$probe" "$@"; }

echo "== 1. poisoning: 20,000 wrongly labelled training images, gated =="
read -r v0 acc0 <<<"$(P accuracy)"
echo "  before: v$v0 serves, accuracy $acc0 on the first 2,000 test images"
refused0=$(alerts refused)
P poison 20000 2000 | sed 's/^/  /'
lo=$acc0 hi=$acc0 versions="$v0"
end=$(( $(date +%s) + watch_s ))
while [ "$(date +%s)" -lt "$end" ]; do
  sleep 10
  read -r v acc <<<"$(P accuracy)"
  versions="$versions $v"
  lo=$(awk -v a="$lo" -v b="$acc" 'BEGIN { print (b < a) ? b : a }') hi=$(awk -v a="$hi" -v b="$acc" 'BEGIN { print (b > a) ? b : a }')
done
refused=$(( $(alerts refused) - refused0 ))
echo "  watched ${watch_s} s: served versions $(echo "$versions" | tr ' ' '\n' | uniq | tr '\n' ' '); accuracy $lo .. $hi; refused alerts: $refused"
# a rise is continuous training on the clean split doing its job; a drop is the poison getting through
awk -v a="$acc0" -v l="$lo" 'BEGIN { exit !(a - l <= 0.005) }' || fail "served accuracy fell from $acc0 to $lo (> 0.005)"
[ "$refused" -ge 1 ] || fail "no refused alert on fmnist.alerts during the poisoning"

echo "== 2. a diverged admin run (learning rate 1000) =="
read -r v1 acc1 <<<"$(P accuracy)"
refused1=$(alerts refused)
P diverge | sed 's/^/  /'
read -r v2 acc2 <<<"$(P accuracy)"
refused=$(( $(alerts refused) - refused1 ))
echo "  served v$v1 ($acc1) before, v$v2 ($acc2) after; refused alerts: $refused"
awk -v a="$acc1" -v b="$acc2" 'BEGIN { exit !(a - b <= 0.005) }' || fail "the diverged run lowered served accuracy ($acc1 -> $acc2)"
[ "$refused" -ge 1 ] || fail "no refused alert for the diverged run"

echo "== 3. drift =="
drift0=$(alerts drift)
P ordinary 10 | sed 's/^/  /'
sleep 2
ordinary=$(( $(alerts drift) - drift0 ))
echo "  100,000 ordinary test images: $ordinary drift alerts"
[ "$ordinary" = 0 ] || fail "ordinary test images raised $ordinary drift alerts"
first=$(P inverted 3000 100 "$broker")
echo "  dark-on-light images: the first drift alert after $first of 3,000"
[ "$first" != none ] && [ "$first" -le 1000 ] || fail "no drift alert within the first 1,000 dark-on-light images ($first)"

echo
if [ ${#failures[@]} -gt 0 ]; then
  printf 'drill: %d check(s) failed:\n' ${#failures[@]} >&2
  printf '  - %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "drill: passed in $(( $(date +%s) - started )) s"
