#!/usr/bin/env bash
# Hostile requests, all at once, against a running inference container at its manifest's limits
# (containers/loop.sh calls it): the 61-byte PNGs declaring 6324x6324 16-bit RGBA, bodies over the 10 MiB
# limit (with and without Content-Length), JSON nested 100000 deep. Passes when every answer is a clear
# refusal (400, 413, 415 or 503; never a dropped connection or another 5xx), the container is still running
# (not OOM-killed, not restarted) and classifies a real image afterwards. Prints the answers by kind and
# status and the container's RSS before, at its highest during the burst, and after.
#   containers/bombs.sh CONTAINER URL WORKDIR
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ENGINE=podman
pick_engine
container="$1" url="$2" work="$3"
PY=/usr/bin/python3
PNG_BOMBS="${FMNIST_BOMBS_PNG:-400}" OVERSIZE="${FMNIST_BOMBS_OVERSIZE:-24}" DEEP="${FMNIST_BOMBS_DEEP:-100}"
CONCURRENCY="${FMNIST_BOMBS_CONCURRENCY:-64}"

pid="$(podman inspect -f '{{.State.Pid}}' "$container")"
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0; }
mib_of_kib() { awk -v k="$1" 'BEGIN { printf "%.0f MiB", k / 1024 }'; }
limit="$(podman inspect -f '{{.HostConfig.Memory}}' "$container")"

"$PY" "$CONTAINERS_DIR/payloads.py" png-bomb "$work/bomb.png"
"$PY" "$CONTAINERS_DIR/payloads.py" oversize "$work/big.bin" 12
"$PY" "$CONTAINERS_DIR/payloads.py" deep-json "$work/deep.json" 100000
# One line per request: KIND CURL-ARGS (the kind labels the answer).
{
  for _ in $(seq "$PNG_BOMBS"); do echo "png-bomb -H Content-Type:image/png --data-binary @$work/bomb.png"; done
  for _ in $(seq "$OVERSIZE"); do echo "oversize-12MiB -H Content-Type:application/octet-stream --data-binary @$work/big.bin"; done
  # Chunked: no Content-Length, so only the streaming limit can stop it.
  for _ in $(seq "$OVERSIZE"); do echo "oversize-chunked -H Content-Type:application/octet-stream -H Transfer-Encoding:chunked --data-binary @$work/big.bin"; done
  for _ in $(seq "$DEEP"); do echo "deep-json -H Content-Type:application/json --data-binary @$work/deep.json"; done
} | shuf >"$work/bombs.txt"

rss_before="$(rss_kib)"
: >"$work/rss.txt"
( while kill -0 "$pid" 2>/dev/null; do rss_kib >>"$work/rss.txt"; sleep 0.2; done ) &
sampler=$!
started=$(date +%s%3N)
# shellcheck disable=SC2016
xargs -P "$CONCURRENCY" -L 1 sh -c 'kind="$1"; shift; printf "%s %s\n" "$kind" \
  "$(curl -s -o /dev/null -m 60 -w "%{http_code}" "$@" "'"$url"'/api/v1/classify")"' _ \
  <"$work/bombs.txt" >"$work/answers.txt" || true
took=$(( $(date +%s%3N) - started ))
sleep 1
kill "$sampler" 2>/dev/null || true
wait "$sampler" 2>/dev/null || true
rss_peak="$(sort -n "$work/rss.txt" | tail -1)"
rss_after="$(rss_kib)"

log "bombs: $(wc -l <"$work/bombs.txt") hostile requests, $CONCURRENCY at a time, in $took ms; answers by kind and status:"
sort "$work/answers.txt" | uniq -c | awk '{ printf "  %6d  %-18s %s\n", $1, $2, $3 }'
log "inference RSS: before $(mib_of_kib "$rss_before"), highest during the burst $(mib_of_kib "${rss_peak:-0}"), after $(mib_of_kib "$rss_after") (memory limit $(mib "$limit"))"

state="$(podman inspect -f '{{.State.Running}} {{.State.OOMKilled}} {{.RestartCount}}' "$container")"
[ "$state" = "true false 0" ] || die "inference container after the bombs: running/OOM-killed/restarts = $state"
bad="$(awk '$2 !~ /^(400|413|415|503)$/' "$work/answers.txt" | sort | uniq -c)"
[ -z "$bad" ] || die "answers that are not a clear refusal (000 = connection dropped):
$bad"
"$PY" "$CONTAINERS_DIR/payloads.py" batch 0 1 | "$PY" -c 'import json,sys; sys.stdout.buffer.write(bytes(json.load(sys.stdin)["images"][0]))' >"$work/after.raw"
answer="$(curl -fsS -m 10 -H 'Content-Type: application/octet-stream' --data-binary @"$work/after.raw" "$url/api/v1/classify")" \
  || die "inference does not classify after the bombs"
log "after the bombs the container still runs and classifies: $(printf '%s' "$answer" | head -c 60)..."
