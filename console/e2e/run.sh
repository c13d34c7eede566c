#!/usr/bin/env bash
# The console's browser test, end to end: installs what it needs (Debian's chromium, playwright-core
# from package-lock.json), starts the pipeline with ./fmnist up -d on its own ports and state folder
# (fresh: 10 epochs from scratch on the full data, models softmax and cnn unless FMNIST_E2E_MODELS says
# otherwise), runs console.e2e.js, checks every served model against the whole test split (REST and ONNX
# Runtime, export-check/served-check.sh), and always stops the pipeline.
#   console/e2e/run.sh            (ports 20080-20093 unless FMNIST_E2E_* say otherwise)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

if ! command -v chromium >/dev/null 2>&1; then
  echo "e2e: installing chromium (apt)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
command -v npm >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)

export FMNIST_HOME="${FMNIST_E2E_HOME:-$HERE/run/home}"
export FMNIST_KAFKA_PORT="${FMNIST_E2E_KAFKA_PORT:-20092}"
export FMNIST_KAFKA_CONTROLLER_PORT="${FMNIST_E2E_KAFKA_CONTROLLER_PORT:-20093}"
export FMNIST_INFERENCE_PORT="${FMNIST_E2E_INFERENCE_PORT:-20080}"
export FMNIST_INGEST_PORT="${FMNIST_E2E_INGEST_PORT:-20081}"
export FMNIST_TRAINER_PORT="${FMNIST_E2E_TRAINER_PORT:-20082}"
export FMNIST_CONSOLE_PORT="${FMNIST_E2E_CONSOLE_PORT:-20083}"
unset FMNIST_BOOTSTRAP_SERVERS
if [ -z "${FMNIST_DATA_DIR:-}" ] && [ -d "$ROOT/../shared/data/fashion-mnist" ]; then
  export FMNIST_DATA_DIR="$ROOT/../shared/data/fashion-mnist"
fi

cleanup() { "$ROOT/fmnist" down || true; }
trap cleanup EXIT
# two model families by default, so the comparison panel is checked too (FMNIST_E2E_MODELS=softmax: the seed alone)
export MODELS="${FMNIST_E2E_MODELS:-softmax,cnn}"
"$ROOT/fmnist" up -d --fresh --epochs 10 --model "$MODELS"

# A later version of ./fmnist writes the admin token here; the UI works with or without one.
export TOKEN_FILE="$FMNIST_HOME/admin-token"
export CONSOLE_URL="http://localhost:$FMNIST_CONSOLE_PORT/"
export INFERENCE_URL="http://localhost:$FMNIST_INFERENCE_PORT"
export EPOCHS=10
node "$HERE/console.e2e.js"
# Every served model against the whole test split: its recorded test accuracy, REST scoring of the 10,000 test
# images and ONNX Runtime on its ONNX export must be equal.
"$ROOT/inference-service/export-check/served-check.sh" "$INFERENCE_URL" "$MODELS"
