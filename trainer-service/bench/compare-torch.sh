#!/usr/bin/env bash
# Our epoch through Kafka against the in-memory PyTorch peer, in one run, and their ratio.
# Usage: trainer-service/bench/compare-torch.sh [epochs]      (~1 min with 10 epochs, most of it the build)
# Prints our epoch table, the peer's epochs, then one line with both medians and the ratio, and whether
# the targets of issue 15 are met. The same torch thread count (1) on both sides.
# Installs Debian's python3-torch (with OpenBLAS, which its recommends bring: the reference BLAS that
# --no-install-recommends leaves is far slower) and python3-numpy when missing (apt-get; root or sudo).
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
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends python3-torch python3-numpy \
    libopenblas0-pthread >/dev/null
fi
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
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
median_peer="$(awk '/^peer softmax median epoch seconds:/ {print $6}' "$peer")"
# the whole run: ours from the first epoch's start to the run's end; the peer's epochs run one after another
wall_ours="$(awk '/^epochs. wall time/ {print $4}' "$ours")"
wall_peer="$(awk '/^peer softmax epoch/ {s += $(NF - 1)} END {printf "%.3f", s}' "$peer")"
echo
echo "all epochs' wall time: ours ${wall_ours} s, in-memory PyTorch ${wall_peer} s"
awk -v o="$median_ours" -v s="$slowest_ours" -v p="$median_peer" 'BEGIN {
  r = o / p
  printf "median epoch: ours %.3f s (slowest %.3f s, %.2fx the median), in-memory PyTorch %.3f s, ratio ours/peer %.2f\n",
    o, s, s / o, p, r
  printf "targets: ratio <= 0.25 %s, slowest < 2x median %s\n", (r <= 0.25 ? "met" : "NOT met"),
    (s < 2 * o ? "met" : "NOT met") }'
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
