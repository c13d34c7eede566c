#!/usr/bin/env bash
# Resident memory of the local pipeline (./fmnist up -d): each process's RSS after start, after the
# 10 training epochs, and after a fixed classify load (wrk, raw 784-byte bodies), then the total.
# Usage: pipeline-cli/bench/memory.sh [load-seconds] [extra-epochs]
#   load-seconds  length of the wrk load (default 20)
#   extra-epochs  after the load, train this many more epochs (POST, admin token) and load again,
#                 for the "after 80 epochs" figure (default 0)
# Runs on its own ports and state folder (FMNIST_HOME=$(mktemp -d)); stops everything at the end.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
load_seconds="${1:-20}"
extra_epochs="${2:-0}"
command -v wrk >/dev/null || { echo "memory: wrk not found (apt-get install wrk)" >&2; exit 1; }
export FMNIST_HOME="${FMNIST_HOME:-$(mktemp -d)}"
export FMNIST_DATA_DIR="${FMNIST_DATA_DIR:-$root/../shared/data/fashion-mnist}"
export FMNIST_KAFKA_PORT="${FMNIST_KAFKA_PORT:-29092}" FMNIST_KAFKA_CONTROLLER_PORT="${FMNIST_KAFKA_CONTROLLER_PORT:-29093}"
export FMNIST_INFERENCE_PORT="${FMNIST_INFERENCE_PORT:-28080}" FMNIST_INGEST_PORT="${FMNIST_INGEST_PORT:-28081}"
export FMNIST_TRAINER_PORT="${FMNIST_TRAINER_PORT:-28082}"
trap '"$root/fmnist" down >/dev/null 2>&1 || true' EXIT

rss() { # component -> MB
  local pid
  pid="$(cat "$FMNIST_HOME/run/$1.pid" 2>/dev/null)" || { echo "-"; return; }
  awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status" 2>/dev/null || echo "-"
}
report() {
  local total=0 line="$1:"
  for c in kafka ingest trainer inference; do
    local m
    m="$(rss "$c")"
    line="$line  $c ${m} MB"
    [ "$m" = "-" ] || total=$((total + m))
  done
  echo "$line  | total ${total} MB"
}
load() {
  local body="$FMNIST_HOME/body.raw" lua="$FMNIST_HOME/post.lua"
  head -c 784 /dev/urandom > "$body"
  cat > "$lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/octet-stream"
local f = io.open("$body", "rb"); wrk.body = f:read("*a"); f:close()
LUA
  wrk -t2 -c16 -d"${load_seconds}s" -s "$lua" "http://127.0.0.1:$FMNIST_INFERENCE_PORT/api/v1/classify" | grep -E 'Requests/sec|requests in'
}

"$root/fmnist" up -d --fresh >/dev/null
sleep 5
report "after up and 10 epochs"
load
report "after ${load_seconds} s of classify load"
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
  load
  report "after $target epochs and another ${load_seconds} s of load"
fi
