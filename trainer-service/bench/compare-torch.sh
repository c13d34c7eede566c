#!/usr/bin/env bash
# Our epoch through Kafka against the in-memory PyTorch peer, in one run, and their ratio.
# Usage: trainer-service/bench/compare-torch.sh [epochs]
# Installs Debian's python3-torch and python3-numpy when missing (apt-get; root or sudo).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
data="${FMNIST_DATA_DIR:-$root/../shared/data/fashion-mnist}"
epochs="${1:-10}"
py=/usr/bin/python3
if ! "$py" -c 'import torch, numpy' 2>/dev/null; then
  echo "compare: installing python3-torch and python3-numpy from Debian" >&2
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends python3-torch python3-numpy >/dev/null
fi
ours="$(mktemp)"
peer="$(mktemp)"
trap 'rm -f "$ours" "$peer"' EXIT

"$here/train-bench.sh" "$epochs" | tee "$ours"
echo
"$py" "$here/torch_peer.py" "$data" "$epochs" 1 | tee "$peer"

# our per-epoch seconds are the 5th column of the epoch table rows
median_ours="$(awk '$1 ~ /^[0-9]+$/ && NF >= 5 && $6 == "|" {print $5}' "$ours" | sort -n |
  awk '{a[NR]=$1} END {if (NR == 0) exit 1; print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}')"
slowest_ours="$(awk '$1 ~ /^[0-9]+$/ && NF >= 5 && $6 == "|" {print $5}' "$ours" | sort -n | tail -1)"
median_peer="$(awk '/^peer median epoch seconds:/ {print $5}' "$peer")"
echo
awk -v o="$median_ours" -v s="$slowest_ours" -v p="$median_peer" 'BEGIN {
  printf "median epoch: ours %.3f s (slowest %.3f s, %.2fx the median), in-memory PyTorch %.3f s, ratio ours/peer %.2f\n",
    o, s, s / o, p, o / p }'
