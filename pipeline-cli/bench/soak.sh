#!/usr/bin/env bash
# Soak benchmark: the local pipeline living on after its first run, as users keep it (issue 21).
# From `./fmnist up -d --fresh` (10 epochs), cycles of:
#   1. 2,000 labelled Fashion-MNIST train images streamed through fmnist.uploads with kcat (a client that
#      is not ours), each cycle other images, waited for until ingest has published them to fmnist.train;
#   2. a run of 5 more epochs started over REST (admin token), waited for until it completes;
#   3. 60 s of raw 784-byte classify at 1,000 req/s (open model, the repo's LoadGen) -> p50/p99;
#   4. 10 s of classify at saturation (wrk -t1 -c16) -> req/s, errors.
# Per cycle it prints each process's RSS, the run's epoch times, the samples it trained on, the
# saturated req/s and the p99 at 1,000 req/s. It fails (exit 1, the reason on stderr) when a component
# died or was restarted (pid changed), a run did not complete or trained on fewer samples than were
# published, RSS of a process after the last cycle is more than SOAK_GROWTH_PCT (10) % above its cycle-3
# figure (judged in runs of 6 cycles or more), the pipeline's RSS exceeds 1.5 GB or inference's 300 MB, a cycle's
# saturation run has errors, the median saturated throughput over the cycles is under SOAK_MIN_RPS (30000: 1.5 times
# the 20,000 of the regression in issue 21; the machine itself moves the figure: the service alone measured
# 40,244 to 52,556 req/s on 2026-12-07, so the ratio to the alone figure is the gate that tells a regression), or the
# median p99 at 1,000 req/s over the cycles is above SOAK_MAX_P99_MS (2). Before the pipeline it measures the inference service alone
# (inference-service/bench/classify-bench.sh, raw, the median of three wrk -t1 -c16 runs after its own
# warm-up) and fails when the median in-pipeline throughput is under SOAK_MIN_RATIO (0.8) of it.
#
# After the cycles: each process's live heap after a full GC, and the restart drill on the same pipeline
# (pipeline-cli/bench/restart-drill.sh: the trainer kill -9'ed during a POSTed run, then inference).
# Usage: pipeline-cli/bench/soak.sh [CYCLES]      (default 10; CI runs 3)
# Env: SOAK_ALONE=0 skips the alone measurement (and the ratio); SOAK_DRILL=0 skips the drill; FMNIST_HOME (default a temp folder),
#      FMNIST_*_PORT (default 286xx), FMNIST_DATA_DIR (default ../shared/data/fashion-mnist).
# Runs on 127.0.0.1 only, every load bounded in time; stops everything it started at the end.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cycles="${1:-10}"
[[ "$cycles" =~ ^[0-9]+$ && "$cycles" -ge 1 ]] || { echo "soak: CYCLES must be a positive number" >&2; exit 2; }
min_rps="${SOAK_MIN_RPS:-30000}"
max_p99="${SOAK_MAX_P99_MS:-2}"
min_ratio="${SOAK_MIN_RATIO:-0.8}"
growth_pct="${SOAK_GROWTH_PCT:-10}"
for tool in wrk kcat curl python3; do
  command -v "$tool" >/dev/null || { echo "soak: $tool not found (apt-get install wrk kcat curl python3)" >&2; exit 1; }
done
export FMNIST_HOME="${FMNIST_HOME:-$(mktemp -d /tmp/fmnist-soak.XXXXXX)}"
export FMNIST_DATA_DIR="${FMNIST_DATA_DIR:-$root/../shared/data/fashion-mnist}"
export FMNIST_KAFKA_PORT="${FMNIST_KAFKA_PORT:-28692}" FMNIST_KAFKA_CONTROLLER_PORT="${FMNIST_KAFKA_CONTROLLER_PORT:-28693}"
export FMNIST_INFERENCE_PORT="${FMNIST_INFERENCE_PORT:-28680}" FMNIST_INGEST_PORT="${FMNIST_INGEST_PORT:-28681}"
export FMNIST_TRAINER_PORT="${FMNIST_TRAINER_PORT:-28682}" FMNIST_CONSOLE_PORT="${FMNIST_CONSOLE_PORT:-28683}"
work="$FMNIST_HOME/soak"
mkdir -p "$work"
components=(kafka ingest trainer inference console supervisor)
trainer="http://127.0.0.1:$FMNIST_TRAINER_PORT"
inference="http://127.0.0.1:$FMNIST_INFERENCE_PORT"
failures=()
fail() { echo "soak: FAIL: $*" >&2; failures+=("$*"); }

# ---- the inputs: a raw body, and the upload images of each cycle (2,000 train images, by label) ----
python3 - "$FMNIST_DATA_DIR" "$work" "$cycles" <<'PY'
import gzip, os, sys
data, work, cycles = sys.argv[1], sys.argv[2], int(sys.argv[3])
px = gzip.open(os.path.join(data, "train-images-idx3-ubyte.gz")).read()[16:]
lb = gzip.open(os.path.join(data, "train-labels-idx1-ubyte.gz")).read()[8:]
t = gzip.open(os.path.join(data, "t10k-images-idx3-ubyte.gz")).read()[16:]
open(os.path.join(work, "body.raw"), "wb").write(t[:784])
for c in range(1, cycles + 1):
    for i in range((c - 1) * 2000, c * 2000):
        d = os.path.join(work, "uploads", str(c), str(lb[i]))
        os.makedirs(d, exist_ok=True)
        open(os.path.join(d, "%05d.raw" % i), "wb").write(px[i * 784:(i + 1) * 784])
PY
bench_cp="$root/inference-service/target/test-classes:$root/kafka-broker/target/lib/*"

pid_of() { cat "$FMNIST_HOME/run/$1.pid" 2>/dev/null || echo "-"; }
rss_of() { # pid -> MB
  awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo 0
}
saturate() { # -> "req/s errors"
  BODY_FILE="$work/body.raw" CONTENT_TYPE=application/octet-stream wrk -t1 -c16 -d10s \
    -s "$root/inference-service/bench/post.lua" "$inference/api/v1/classify" > "$work/wrk.txt" 2>&1 || true
  awk '/wrk: / {print $(NF-1), $4 + $6}' "$work/wrk.txt" | tail -1
}
status_json() { curl -sf "$trainer/api/v1/training"; }
published_user() {
  curl -sf "http://127.0.0.1:$FMNIST_INGEST_PORT/q/metrics" |
    awk '/^fmnist_ingest_images_published_total\{.*split="user"/ {s += $NF} END {printf "%d", s}'
}

# ---- the service alone, the same measurement (wrk -t1 -c16, 10 s, raw) ----
alone=""
if [ "${SOAK_ALONE:-1}" != 0 ]; then
  echo "== inference alone (inference-service/bench/classify-bench.sh, raw) =="
  KINDS=raw SECONDS_MAX=10 SECONDS_RATE=20 WRK_RUNS=3 "$root/inference-service/bench/classify-bench.sh" > "$work/alone.txt" 2>&1 \
    || { cat "$work/alone.txt"; echo "soak: the alone benchmark failed" >&2; exit 1; }
  grep -E "raw (rate|max)|latency ms|wrk:" "$work/alone.txt" | sed 's/^ */  /'
  # the median of three wrk runs, as the pipeline's figure is the median of its cycles: one run varies by 10 %
  alone="$(awk '/wrk: [0-9]/ {print $(NF-1)}' "$work/alone.txt" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')"
  echo "  alone: $alone req/s (wrk, median of $(grep -c 'wrk: [0-9]' "$work/alone.txt") runs)"
fi

trap '"$root/fmnist" down >/dev/null 2>&1 || true' EXIT
echo "== ./fmnist up -d --fresh (FMNIST_HOME=$FMNIST_HOME) =="
started=$(date +%s)
"$root/fmnist" up -d --fresh > "$work/up.txt" 2>&1 || { cat "$work/up.txt"; echo "soak: up failed" >&2; exit 1; }
grep -E "^ +10 |serving model" "$work/up.txt" | sed 's/^/  /'
echo "  up in $(( $(date +%s) - started )) s"
declare -A first_pid
for c in "${components[@]}"; do first_pid[$c]="$(pid_of "$c")"; done
admin=(-H "Authorization: Bearer $(cat "$FMNIST_HOME/admin-token")")
epochs=$(status_json | python3 -c 'import json,sys; print(json.load(sys.stdin)["epoch"])')
declare -A base_rss last_rss
# growth is judged from cycle 3 on (cycles 1-3 still warm up: kafka's RSS rose 10.7 % from cycle 1 to 3 in the
# 10-cycle run, then 2.1 % to cycle 10), so only runs of 6 cycles or more judge it
base_cycle=3
samples_expected=60000
all_rps=() all_p99=()
printf '\n%-5s %-66s %-7s %-22s %-9s %-26s %s\n' cycle "RSS MB (kafka ingest trainer inference console supervisor = total)" epochs \
  "epoch s (min/max)" samples "saturated req/s (errors)" "p99 ms @1000/s"
for ((cycle = 1; cycle <= cycles; cycle++)); do
  # 1. uploads
  before=$(published_user)
  for dir in "$work/uploads/$cycle"/*; do
    kcat -b "127.0.0.1:$FMNIST_KAFKA_PORT" -P -t fmnist.uploads -H "label=$(basename "$dir")" "$dir"/*.raw
  done
  deadline=$(( $(date +%s) + 120 ))
  until [ "$(published_user)" -ge $((before + 2000)) ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { fail "cycle $cycle: ingest published $(( $(published_user) - before )) of 2000 uploads in 120 s"; break; }
    sleep 1
  done
  samples_expected=$((samples_expected + 2000))
  # 2. a run of 5 more epochs
  target=$((epochs + 5))
  code=$(curl -s -o "$work/start.json" -w '%{http_code}' -X POST "${admin[@]}" -H 'Content-Type: application/json' \
    -d "{\"epochs\": $target}" "$trainer/api/v1/training" || true)
  [ "$code" = 202 ] || fail "cycle $cycle: POST /api/v1/training answered $code: $(cat "$work/start.json" 2>/dev/null)"
  deadline=$(( $(date +%s) + 300 ))
  run=""
  while [ "$(date +%s)" -lt "$deadline" ]; do
    run="$(status_json 2>/dev/null | python3 -c '
import json, sys
t = json.load(sys.stdin); target = int(sys.argv[1])
done = t["state"] == "COMPLETED" and t["epoch"] >= target
h = [e for e in t["history"] if e["epoch"] > target - 5]
s = [e["seconds"] for e in h] or [0]
print(t["state"], t["epoch"], int(done), "%.3f" % min(s), "%.3f" % max(s), h[-1]["samples"] if h else 0)' "$target" 2>/dev/null || true)"
    case "$run" in *" 1 "*) break ;; FAILED*) break ;; esac
    sleep 1
  done
  read -r state reached complete tmin tmax samples <<<"${run:-none 0 0 0 0 0}"
  [ "$complete" = 1 ] || fail "cycle $cycle: the run to epoch $target did not complete (state $state, epoch $reached)"
  [ "$samples" -ge "$samples_expected" ] || fail "cycle $cycle: the last epoch trained on $samples samples, $samples_expected were published"
  epochs=$reached
  # 3. 60 s at 1,000 req/s; 4. 10 s at saturation
  java -Xms64m -Xmx64m -cp "$bench_cp" dev.fmnist.inference.bench.LoadGen rate "$FMNIST_INFERENCE_PORT" \
    application/octet-stream "$work/body.raw" 8 60 1000 > "$work/rate.txt" 2>&1 || true
  p99=$(awk '/latency ms/ {for (i = 1; i <= NF; i++) if ($i == "p99") print $(i+1)}' "$work/rate.txt" | tail -1)
  rate_errors=$(sed -n 's/.*(errors: \([0-9]*\)).*/\1/p' "$work/rate.txt" | tail -1)
  read -r rps errors <<<"$(saturate)"
  # the processes: alive, not restarted, their RSS
  line="" total=0
  for c in "${components[@]}"; do
    pid="$(pid_of "$c")"
    if [ "$pid" != "${first_pid[$c]}" ] || [ ! -d "/proc/$pid" ]; then
      fail "cycle $cycle: $c died or was restarted (pid ${first_pid[$c]} -> $pid)"
    fi
    m=$(rss_of "$pid")
    line="$line $m" total=$((total + m))
    last_rss[$c]=$m
    [ "$cycle" -eq "$base_cycle" ] && base_rss[$c]=$m
  done
  printf '%-5s %-66s %-7s %-22s %-9s %-26s %s\n' "$cycle" "${line# } = $total" "$epochs" "$tmin / $tmax" "$samples" \
    "${rps:-0} (${errors:-?})" "${p99:-?}"
  [ "$total" -le 1536 ] || fail "cycle $cycle: the pipeline's RSS is $total MB (> 1.5 GB)"
  [ "${last_rss[inference]}" -le 300 ] || fail "cycle $cycle: inference RSS is ${last_rss[inference]} MB (> 300 MB)"
  all_rps+=("${rps:-0}") all_p99+=("${p99:-99}")
  [ "${errors:-1}" = 0 ] || fail "cycle $cycle: $errors errors at saturation"
  [ "${rate_errors:-1}" = 0 ] || fail "cycle $cycle: ${rate_errors:-?} errors at 1,000 req/s"
done

# one cycle's figure is noisy on 2 shared cores (+-10 % between identical runs): throughput, latency and the ratio
# are judged on the median over the cycles, each cycle's figures printed above
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
med_rps=$(median "${all_rps[@]}") med_p99=$(median "${all_p99[@]}")
echo
echo "median over $cycles cycles: saturated $med_rps req/s, p99 $med_p99 ms at 1,000 req/s${alone:+, alone $alone req/s}"
awk -v p="$med_p99" -v m="$max_p99" 'BEGIN { exit !(p <= m) }' || fail "median p99 $med_p99 ms at 1,000 req/s (> $max_p99 ms)"
awk -v r="$med_rps" -v m="$min_rps" 'BEGIN { exit !(r >= m) }' || fail "median saturated $med_rps req/s (< $min_rps)"
if [ -n "$alone" ]; then
  awk -v a="$alone" -v r="$med_rps" -v m="$min_ratio" 'BEGIN { printf "in pipeline / alone: %.2f\n", r / a; exit !(r / a >= m) }' \
    || fail "in-pipeline/alone ratio under $min_ratio"
fi

echo
if [ "$cycles" -ge 6 ]; then
  echo "RSS growth, cycle $cycles over cycle $base_cycle:"
  for c in "${components[@]}"; do
    awk -v c="$c" -v a="${base_rss[$c]}" -v b="${last_rss[$c]}" -v g="$growth_pct" \
      'BEGIN { d = (b - a) * 100 / a; printf "  %-9s %4d -> %4d MB  %+5.1f%%\n", c, a, b, d; exit !(d <= g) }' \
      || fail "$c RSS grew more than $growth_pct% from cycle $base_cycle to $cycles"
  done
else
  echo "RSS growth: not judged in a run of fewer than 6 cycles (cycles 1-3 warm up)"
fi
echo "Live heap after a full GC (jcmd GC.run), against each process's -Xmx (docs/operations.md, JVM memory):"
for c in "${components[@]}"; do
  pid="$(pid_of "$c")"
  jcmd "$pid" GC.run >/dev/null 2>&1 || continue
  live=$(jcmd "$pid" GC.heap_info 2>/dev/null | awk '/(generation|Gen) +total/ {
    for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); gsub(/[^0-9]/, "", v); s += v } } END { printf "%d", s / 1024 }')
  max=$(tr '\0' '\n' < "/proc/$pid/cmdline" | sed -n 's/^-Xmx\([0-9]*\)m$/\1/p' | tail -1)
  printf '  %-9s live %3d MB of a %s MB heap\n' "$c" "$live" "${max:-?}"
done
# the restart drill on the same pipeline: trainer kill -9'ed during a POSTed run, inference kill -9'ed
if [ "${SOAK_DRILL:-1}" != 0 ]; then
  echo
  "$root/pipeline-cli/bench/restart-drill.sh" || fail "the restart drill failed"
fi
if [ ${#failures[@]} -gt 0 ]; then
  echo "soak: ${#failures[@]} failures (logs in $FMNIST_HOME/logs)" >&2
  exit 1
fi
echo "soak: $cycles cycles passed in $(( $(date +%s) - started )) s"
