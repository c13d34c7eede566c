#!/usr/bin/env bash
# Resident memory of the local pipeline (./fmnist up -d): each of the five processes' RSS (Kafka, ingest,
# trainer, inference, console) after start and the 10 training epochs, and after a fixed classify load
# (wrk, raw 784-byte bodies), with the total; optionally again after more epochs and a longer load.
# Usage: pipeline-cli/bench/memory.sh [quick|long | LOAD-SECONDS [EXTRA-EPOCHS [EXTRA-LOAD-SECONDS]]]
#   quick (default)  10 epochs, 20 s of load                                    (~3-4 min)
#   long             then 70 more epochs (80 in all) and 120 s of load, and the growth over the
#                    quick figure, which issue 15 wants within +10%                 (~7-9 min)
# Runs on its own state folder (FMNIST_HOME=$(mktemp -d) unless set) and ports (FMNIST_*_PORT, 285xx
# unless set); stops everything at the end. The admin token of that folder starts the extra epochs.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
case "${1:-quick}" in
  quick) load_seconds=20 extra_epochs=0 extra_load=0 ;;
  long) load_seconds=20 extra_epochs=70 extra_load=120 ;;
  *) load_seconds="$1" extra_epochs="${2:-0}" extra_load="${3:-$1}" ;;
esac
command -v wrk >/dev/null || { echo "memory: wrk not found (apt-get install wrk)" >&2; exit 1; }
export FMNIST_HOME="${FMNIST_HOME:-$(mktemp -d)}"
export FMNIST_DATA_DIR="${FMNIST_DATA_DIR:-$root/../shared/data/fashion-mnist}"
export FMNIST_KAFKA_PORT="${FMNIST_KAFKA_PORT:-28592}" FMNIST_KAFKA_CONTROLLER_PORT="${FMNIST_KAFKA_CONTROLLER_PORT:-28593}"
export FMNIST_INFERENCE_PORT="${FMNIST_INFERENCE_PORT:-28580}" FMNIST_INGEST_PORT="${FMNIST_INGEST_PORT:-28581}"
export FMNIST_TRAINER_PORT="${FMNIST_TRAINER_PORT:-28582}" FMNIST_CONSOLE_PORT="${FMNIST_CONSOLE_PORT:-28583}"
trap '"$root/fmnist" down >/dev/null 2>&1 || true' EXIT
components=(kafka ingest trainer inference console)

rss() { # component -> MB
  local pid
  pid="$(cat "$FMNIST_HOME/run/$1.pid" 2>/dev/null)" || { echo "-"; return; }
  awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status" 2>/dev/null || echo "-"
}
total=0
report() { # label -> one line; sets $total
  local line="$1:"
  total=0
  for c in "${components[@]}"; do
    local m
    m="$(rss "$c")"
    line="$line  $c ${m} MB"
    [ "$m" = "-" ] || total=$((total + m))
  done
  echo "$line  | total ${total} MB   (load average $(cut -d' ' -f1-3 /proc/loadavg))"
}
load() { # seconds
  local body="$FMNIST_HOME/body.raw" lua="$FMNIST_HOME/post.lua"
  head -c 784 /dev/urandom > "$body"
  cat > "$lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/octet-stream"
local f = io.open("$body", "rb"); wrk.body = f:read("*a"); f:close()
LUA
  wrk -t2 -c16 -d"${1}s" -s "$lua" "http://127.0.0.1:$FMNIST_INFERENCE_PORT/api/v1/classify" |
    grep -E 'Requests/sec|requests in|Non-2xx' | sed 's/^ */  wrk: /'
}

"$root/fmnist" up -d --fresh >/dev/null
sleep 5
report "after up and 10 epochs"
load "$load_seconds"
report "after ${load_seconds} s of classify load"
first="$total"
if [ "$extra_epochs" -gt 0 ]; then
  token=()
  [ -f "$FMNIST_HOME/admin-token" ] && token=(-H "Authorization: Bearer $(cat "$FMNIST_HOME/admin-token")")
  target=$((10 + extra_epochs))
  curl -sf -X POST "${token[@]}" -H 'Content-Type: application/json' -d "{\"epochs\": $target}" \
    "http://127.0.0.1:$FMNIST_TRAINER_PORT/api/v1/training" >/dev/null
  until curl -sf "http://127.0.0.1:$FMNIST_TRAINER_PORT/api/v1/training" | grep -q "\"epoch\":$target,"; do
    curl -sf "http://127.0.0.1:$FMNIST_TRAINER_PORT/api/v1/training" | grep -q '"state":"FAILED"' && { echo "memory: the run failed" >&2; exit 1; }
    sleep 2
  done
  report "after $target epochs"
  load "$extra_load"
  report "after $target epochs and another ${extra_load} s of load"
  awk -v a="$first" -v b="$total" 'BEGIN { printf "growth over the first figure: %+.1f%% (%d -> %d MB)\n", (b - a) * 100 / a, a, b }'
fi
