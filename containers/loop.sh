#!/usr/bin/env bash
# The whole loop from the images, run as the Kubernetes manifests run them (k8s/base, read at run time by
# containers/k8s-to-podman.py: memory/cpu limits, env incl. JVM flags, Secret -> env, uid/gid, read-only root,
# the emptyDir tmpfs, capabilities dropped, no privilege escalation, the probes' endpoints):
#   Kafka (StatefulSet kafka; our image runs with a read-only root too), the topics Job, ingest (publishes the
#   data set baked into its image), trainer (10 epochs, auto-start), inference (serves v10), all on one
#   internal podman network (no route out) with the Services' names as aliases; this host talks to the
#   containers' addresses directly, nothing is published on a host port.
# Checks: trainer COMPLETED v10 with the seed's epoch-10 figures; inference serves v10 and classifies test
# images over REST (JSON batch and raw bytes) and over Kafka (fmnist.requests -> fmnist.predictions with
# Kafka's own Java console clients); then containers/bombs.sh against the running inference container.
# Prints each container's time from start to ready and RSS at idle and after the load. Removes every
# container, volume and network it made, also on failure (then with the containers' last log lines).
#   containers/loop.sh          (needs the images: containers/base-images.sh, containers/build-images.sh)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ENGINE=podman
pick_engine
[ "$ENGINE" = podman ] || die "loop.sh drives podman (network aliases, container addresses from this host)"
: "${FMNIST_DATA_DIR:?set FMNIST_DATA_DIR to the Fashion-MNIST folder (the test images for the checks)}"
PY=/usr/bin/python3
BASE="${FMNIST_K8S_BASE:-$REPO_ROOT/k8s/base}"
EPOCHS=10
RUN="fmnist-loop-$$"
NET="$RUN"
work="$(mktemp -d)"
started_containers=()

cleanup() {
  local rc=$?
  if [ "$rc" != 0 ] && [ "${#started_containers[@]}" -gt 0 ]; then dump_logs "${started_containers[@]}"; fi
  for c in "${started_containers[@]}"; do podman rm -f -t 5 "$c" >/dev/null 2>&1 || true; done
  podman volume ls -q --filter "name=^$RUN" 2>/dev/null | xargs -r podman volume rm -f >/dev/null 2>&1 || true
  podman network rm -f "$NET" >/dev/null 2>&1 || true
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The Secret fmnist-auth the operator creates (docs/operations.md), with fresh random values.
snapshot_pem="$(openssl genpkey -algorithm ed25519)"
control_pem="$(openssl genpkey -algorithm ed25519)"
"$PY" - "$work/secrets.json" \
    "$(echo "$snapshot_pem" | openssl pkey -outform DER | tail -c 32 | base64)" \
    "$(echo "$snapshot_pem" | openssl pkey -pubout -outform DER | tail -c 32 | base64)" \
    "$(echo "$control_pem" | openssl pkey -outform DER | tail -c 32 | base64)" \
    "$(echo "$control_pem" | openssl pkey -pubout -outform DER | tail -c 32 | base64)" <<'EOF'
import json, os, secrets, sys
values = {'admin-token': secrets.token_hex(32), 'writer-token': secrets.token_hex(32),
          'snapshot-key': sys.argv[2], 'snapshot-public-key': sys.argv[3],
          'model-control-key': sys.argv[4], 'model-control-public-key': sys.argv[5]}
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, 'w') as stream:
    json.dump({'fmnist-auth': values}, stream)
EOF
ADMIN_TOKEN="$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["fmnist-auth"]["admin-token"])' "$work/secrets.json")"

manifest() { "$PY" "$CONTAINERS_DIR/k8s-to-podman.py" --base "$BASE" "$@"; }
ip_of() { podman inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$1"; }
rss_of() {
  local pid
  pid="$(podman inspect -f '{{.State.Pid}}' "$1")"
  awk '/^VmRSS:/ { printf "%.0f MiB", $2 / 1024 }' "/proc/$pid/status"
}
millis() { date +%s%3N; }

# start KIND NAME [podman options...] [-- k8s-to-podman options...]: runs the workload detached under its
# manifests' settings; the podman options come first (network, aliases).
declare -A STARTED_AT READY_MS
start() {
  local kind="$1" name="$2"
  shift 2
  local extra=() translate=()
  while [ $# -gt 0 ]; do
    if [ "$1" = -- ]; then shift; translate=("$@"); break; fi
    extra+=("$1"); shift
  done
  local words
  mapfile -d '' words < <(manifest --kind "$kind" --name "$name" --secrets "$work/secrets.json" --workdir "$work" \
    --volume-prefix "$RUN-" --explain "${translate[@]}") || die "reading $kind $name from $BASE failed"
  [ "${#words[@]}" -gt 0 ] || die "reading $kind $name from $BASE gave nothing"
  STARTED_AT[$name]=$(millis)
  podman run -d --pull=never --name "$RUN-$name" --network "$NET" "${extra[@]}" "${words[@]}" >/dev/null \
    || die "podman run of $kind $name failed"
  started_containers+=("$RUN-$name")
}

# probe_ok NAME KIND: the manifest's readinessProbe of the workload, against the container's address.
probe_ok() {
  local name="$1" kind="$2" type port path ip
  read -r type port path < <(manifest --kind "$kind" --name "$name" --probe readinessProbe)
  ip="$(ip_of "$RUN-$name")"
  [ -n "$ip" ] || return 1
  if [ "$type" = tcp ]; then
    timeout 2 bash -c "exec 3<>/dev/tcp/$ip/$port" 2>/dev/null
  else
    curl -fs -m 2 -o /dev/null "http://$ip:$port$path"
  fi
}

# await_ready NAME KIND SECONDS
await_ready() {
  local name="$1" kind="$2" limit="$3" deadline=$(( $(date +%s) + $3 ))
  until probe_ok "$name" "$kind"; do
    [ "$(podman inspect -f '{{.State.Running}}' "$RUN-$name")" = true ] \
      || die "$name exited before it was ready ($(podman inspect -f 'exit {{.State.ExitCode}}, OOM killed {{.State.OOMKilled}}' "$RUN-$name"))"
    [ "$(date +%s)" -lt "$deadline" ] || die "$name not ready within $limit s (readinessProbe of its $kind)"
    sleep 0.25
  done
  READY_MS[$name]=$(( $(millis) - STARTED_AT[$name] ))
  log "$name ready $(awk -v ms="${READY_MS[$name]}" 'BEGIN { printf "%.1f", ms / 1000 }') s after start"
}

podman network create --internal "$NET" >/dev/null || die "podman network create $NET failed"
log "network $NET (internal: no route out of it)"

# Kafka: the StatefulSet's pod kafka-0 behind the Services kafka and kafka-headless.
start StatefulSet kafka --network-alias kafka --network-alias kafka-headless \
  --network-alias kafka-0.kafka-headless.fmnist.svc.cluster.local -- --read-only-root
await_ready kafka StatefulSet 90

# The topics Job, in the foreground: it must end with exit code 0.
mapfile -d '' job < <(manifest --kind Job --name kafka-topics --secrets "$work/secrets.json" --workdir "$work" --explain)
podman run --rm --pull=never --name "$RUN-kafka-topics" --network "$NET" "${job[@]}" >"$work/topics.log" 2>&1 \
  || { cat "$work/topics.log" >&2; die "the kafka-topics Job failed"; }
log "topics created: $(grep -c '^Topic: fmnist\.' "$work/topics.log" || true) (kafka-topics Job)"

for service in ingest trainer inference; do
  start Deployment "$service-service" --network-alias "$service-service"
done
for service in ingest trainer inference; do await_ready "$service-service" Deployment 120; done

TRAINER="http://$(ip_of "$RUN-trainer-service"):8082"
INFERENCE="http://$(ip_of "$RUN-inference-service"):8080"
INGEST="http://$(ip_of "$RUN-ingest-service"):8081"
declare -A RSS_IDLE
for service in ingest trainer inference; do RSS_IDLE[$service]="$(rss_of "$RUN-$service-service")"; done

# Training: auto-start waits for the published data, then 10 epochs.
log "waiting for the trainer's $EPOCHS epochs (GET $TRAINER/api/v1/training) ..."
deadline=$(( $(date +%s) + 600 ))
last=""
while :; do
  status="$(curl -fsS -m 5 "$TRAINER/api/v1/training" 2>/dev/null || true)"
  line="$(printf '%s' "$status" | "$PY" -c 'import json,sys
try: s = json.load(sys.stdin)
except Exception: print("no answer"); sys.exit()
print(s.get("state"), "epoch", s.get("epoch"), "of", s.get("plannedEpochs"), "model v%s" % s.get("modelVersion"))')"
  [ "$line" = "$last" ] || log "trainer: $line"
  last="$line"
  case "$line" in COMPLETED*) break ;; FAILED*|FENCED*|STOPPED*) die "training ended: $status" ;; esac
  for service in ingest trainer inference; do
    [ "$(podman inspect -f '{{.State.Running}}' "$RUN-$service-service")" = true ] \
      || die "$service-service exited during training ($(podman inspect -f 'exit {{.State.ExitCode}}, OOM killed {{.State.OOMKilled}}' "$RUN-$service-service"))"
  done
  [ "$(date +%s)" -lt "$deadline" ] || die "training not COMPLETED within 600 s: $status"
  sleep 2
done
printf '%s' "$status" | "$PY" -c '
import json, sys
s = json.load(sys.stdin)
for h in s["history"]:
    print("  epoch %2d  train loss %.4f  train acc %.4f  test acc %.4f  %5.1f s  v%d" % (h["epoch"], h["trainLoss"],
          h.get("trainAccuracy") or 0, h["testAccuracy"], h["seconds"], h["modelVersion"]))
last = s["history"][-1]
if s["modelVersion"] != 10 or last["epoch"] != 10:
    sys.exit("FAIL: expected model v10 after epoch 10, got %s" % s)
# The seed'"'"'s figures (README): epoch-10 train loss 0.4472, test accuracy 0.8273.
if abs(last["trainLoss"] - 0.4472) > 0.0005 or abs(last["testAccuracy"] - 0.8273) > 0.0005:
    sys.exit("FAIL: epoch 10 differs from the seed: loss %.4f acc %.4f" % (last["trainLoss"], last["testAccuracy"]))
' || die "the trainer's run is not the seed's"
publication="$(curl -fsS -m 5 "$INGEST/api/v1/datasets/fashion-mnist/publish" || true)"
log "ingest: $(printf '%s' "$publication" | head -c 300)"

# Inference serves v10.
deadline=$(( $(date +%s) + 60 ))
until [ "$(curl -fsS -m 5 "$INFERENCE/api/v1/model" 2>/dev/null | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["version"])' 2>/dev/null)" = 10 ]; do
  [ "$(date +%s)" -lt "$deadline" ] || die "inference does not serve v10 within 60 s: $(curl -sS -m 5 "$INFERENCE/api/v1/model")"
  sleep 1
done
log "inference serves v10"
# Auth is on, as the Secret configures it: an admin endpoint refuses no token and accepts the admin token.
anonymous="$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$INFERENCE/api/v1/model/versions")"
admin="$(curl -s -o /dev/null -m 5 -w '%{http_code}' -H "Authorization: Bearer $ADMIN_TOKEN" "$INFERENCE/api/v1/model/versions")"
[ "$anonymous" = 401 ] && [ "$admin" = 200 ] || die "GET /api/v1/model/versions: $anonymous without a token (want 401), $admin with the admin token (want 200)"
log "auth: /api/v1/model/versions answers 401 without a token, 200 with the Secret's admin token"

# REST: the first 1000 test images as one JSON batch, and one as raw bytes.
"$PY" "$CONTAINERS_DIR/payloads.py" batch 0 1000 >"$work/batch.json"
curl -fsS -m 30 -H 'Content-Type: application/json' --data-binary @"$work/batch.json" "$INFERENCE/api/v1/classify" \
  >"$work/batch-answer.json" || die "REST batch classification failed"
"$PY" - "$work/batch.json" "$work/batch-answer.json" <<'EOF' || die "REST classification is wrong"
import json, sys
labels = json.load(open(sys.argv[1]))['labels']
answers = json.load(open(sys.argv[2]))['predictions']
versions = {a['modelVersion'] for a in answers}
right = sum(a['classIndex'] == label for a, label in zip(answers, labels))
print('  REST JSON batch: %d images, %d right (%.3f), model versions %s' % (len(answers), right, right / len(answers), sorted(versions)))
if len(answers) != len(labels) or versions != {10} or right / len(answers) < 0.78:
    sys.exit('FAIL: expected %d answers by v10 with accuracy >= 0.78' % len(labels))
EOF
"$PY" -c 'import json,sys; sys.stdout.buffer.write(bytes(json.load(open(sys.argv[1]))["images"][0]))' "$work/batch.json" >"$work/0.raw"
raw="$(curl -fsS -m 10 -H 'Content-Type: application/octet-stream' --data-binary @"$work/0.raw" "$INFERENCE/api/v1/classify?label=9")" \
  || die "REST raw classification failed"
log "REST raw bytes, test image 0 (Ankle boot): $(printf '%s' "$raw" | "$PY" -c 'import json,sys; a=json.load(sys.stdin); print(a["label"], "v%d" % a["modelVersion"])')"

# Kafka: 50 requests on fmnist.requests through Kafka's console producer, answers read from fmnist.predictions.
BOOTSTRAP="$(sed -n 's/^KAFKA_BOOTSTRAP_SERVERS=//p' "$work/inference-service.env")"
kafka_tool() {
  podman run --rm -i --pull=never --network "$NET" --read-only --tmpfs /tmp --cap-drop ALL --user 1000:1000 \
    --security-opt no-new-privileges "$KAFKA_IMAGE" "$@"
}
"$PY" "$CONTAINERS_DIR/payloads.py" kafka-requests "loop-$$" 1000 50 >"$work/requests.tsv"
kafka_tool /opt/kafka/bin/kafka-console-producer.sh --bootstrap-server "$BOOTSTRAP" --topic fmnist.requests \
  --property parse.key=true --property 'key.separator=	' <"$work/requests.tsv" || die "producing to fmnist.requests failed"
# Until every request has its prediction: each read ends after 10 s without a new record.
for attempt in 1 2 3 4 5 6; do
  kafka_tool /opt/kafka/bin/kafka-console-consumer.sh --bootstrap-server "$BOOTSTRAP" --topic fmnist.predictions \
    --from-beginning --timeout-ms 10000 --property print.key=true --property 'key.separator=	' \
    >"$work/predictions.tsv" 2>"$work/consumer.log" || true
  [ "$(grep -c "^loop-$$-" "$work/predictions.tsv" || true)" -lt 50 ] || break
done
"$PY" - "$work/requests.tsv" "$work/predictions.tsv" <<'EOF' || die "Kafka classification is wrong"
import json, sys
wanted = {}
for line in open(sys.argv[1]):
    key, value = line.rstrip('\n').split('\t', 1)
    wanted[key] = json.loads(value)['label']
got = {}
for line in open(sys.argv[2]):
    if '\t' in line:
        key, value = line.rstrip('\n').split('\t', 1)
        if key in wanted:
            got[key] = json.loads(value)
right = sum(got[k]['classIndex'] == wanted[k] for k in got)
versions = sorted({p['modelVersion'] for p in got.values()})
print('  Kafka: %d requests, %d predictions, %d right, model versions %s' % (len(wanted), len(got), right, versions))
if len(got) != len(wanted) or versions != [10] or right / len(got) < 0.7:
    sys.exit('FAIL: every request needs a prediction by v10')
EOF

declare -A RSS_LOADED
for service in ingest trainer inference; do RSS_LOADED[$service]="$(rss_of "$RUN-$service-service")"; done

# Hostile requests against the inference container at its manifest's limits (issue 10).
bash "$CONTAINERS_DIR/bombs.sh" "$RUN-inference-service" "$INFERENCE" "$work"

echo "container          ready after   RSS idle   RSS after training/load   RSS after bombs"
for service in ingest trainer inference; do
  printf '%-18s %8.1f s   %8s   %12s              %s\n' "$service-service" \
    "$(awk -v ms="${READY_MS[$service-service]}" 'BEGIN { print ms / 1000 }')" "${RSS_IDLE[$service]}" \
    "${RSS_LOADED[$service]}" "$(rss_of "$RUN-$service-service")"
done
printf '%-18s %8.1f s   %8s\n' kafka "$(awk -v ms="${READY_MS[kafka]}" 'BEGIN { print ms / 1000 }')" "$(rss_of "$RUN-kafka")"
log "loop from containers: OK"
