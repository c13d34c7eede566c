#!/usr/bin/env bash
# docker-compose.yml brought up with podman-compose and containers/compose.podman.yml (which swaps only the
# images that cannot be pulled here: Prometheus for Debian's as an image): Kafka, the topics one-shot, ingest,
# trainer, inference, console and Prometheus, with fresh tokens in the environment as .env would give them.
# Grafana is not started (its image cannot be pulled and has no stand-in). After the 10 epochs and 20 s of
# load on inference (labelled raw images, bad requests, a PNG bomb), every query of the Grafana dashboard
# is evaluated through Prometheus' HTTP API over the run (containers/dashboard-queries.py), printed as a
# table; any query without data fails the step. Always brought down again, with its volumes.
#   containers/compose.sh      (needs the images: base-images.sh, build-images.sh [console])
# podman-compose ignores depends_on conditions; this script starts kafka, then kafka-topics, then the rest, as
# docker compose would. Uses the compose file's host ports (8080-8083, 9090, 9094): fails at once when one is taken.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ENGINE=podman
pick_engine
: "${FMNIST_DATA_DIR:?set FMNIST_DATA_DIR to the Fashion-MNIST folder (the test images for the load)}"
command -v podman-compose >/dev/null 2>&1 || die "podman-compose not found (apt-get install podman-compose)"
PY=/usr/bin/python3
PROJECT="fmnist-compose-ci"
DASHBOARD="$REPO_ROOT/monitoring/grafana/dashboards/fmnist-pipeline.json"
SERVICES_UP=(kafka kafka-topics ingest-service trainer-service inference-service console prometheus)
work="$(mktemp -d)"

for port in 8080 8081 8082 8083 9090 9094; do
  if timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; then
    die "port $port is taken on this host; docker-compose.yml publishes it (stop what listens there)"
  fi
done

compose() {
  (cd "$REPO_ROOT" && podman-compose -p "$PROJECT" -f docker-compose.yml -f containers/compose.podman.yml "$@")
}
cleanup() {
  local rc=$?
  if [ "$rc" != 0 ]; then
    for service in "${SERVICES_UP[@]}"; do dump_logs "${PROJECT}_${service}_1"; done
  fi
  compose down -v >>"$work/compose.log" 2>&1 || true
  podman network rm -f "${PROJECT}_default" >/dev/null 2>&1 || true
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

image_exists fmnist/console:0.1.0 || bash "$CONTAINERS_DIR/build-images.sh" console
# What .env holds for a user (top of docker-compose.yml); compose reads ${...} from the environment too.
FMNIST_ADMIN_TOKEN="$("$PY" -c 'import secrets; print(secrets.token_hex(32))')"
FMNIST_WRITER_TOKEN="$("$PY" -c 'import secrets; print(secrets.token_hex(32))')"
snapshot_pem="$(openssl genpkey -algorithm ed25519)"
FMNIST_SNAPSHOT_KEY="$(echo "$snapshot_pem" | openssl pkey -outform DER | tail -c 32 | base64)"
FMNIST_SNAPSHOT_PUBLIC_KEY="$(echo "$snapshot_pem" | openssl pkey -pubout -outform DER | tail -c 32 | base64)"
control_pem="$(openssl genpkey -algorithm ed25519)"
FMNIST_MODEL_CONTROL_KEY="$(echo "$control_pem" | openssl pkey -outform DER | tail -c 32 | base64)"
FMNIST_MODEL_CONTROL_PUBLIC_KEY="$(echo "$control_pem" | openssl pkey -pubout -outform DER | tail -c 32 | base64)"
FMNIST_GRAFANA_ADMIN_PASSWORD="$("$PY" -c 'import secrets; print(secrets.token_hex(16))')"
export FMNIST_ADMIN_TOKEN FMNIST_WRITER_TOKEN FMNIST_SNAPSHOT_KEY FMNIST_SNAPSHOT_PUBLIC_KEY FMNIST_MODEL_CONTROL_KEY \
  FMNIST_MODEL_CONTROL_PUBLIC_KEY \
  FMNIST_GRAFANA_ADMIN_PASSWORD
# The default publication is what is checked below: FMNIST_BIND_HOST unset (podman-compose 1.0.3 would let a
# .env beside the compose file override the environment, so one that sets it is refused).
unset FMNIST_BIND_HOST
if [ -f "$REPO_ROOT/.env" ] && grep -q '^[[:space:]]*FMNIST_BIND_HOST' "$REPO_ROOT/.env"; then
  die "$REPO_ROOT/.env sets FMNIST_BIND_HOST; this check runs the default publication (127.0.0.1)"
fi

stack_started=$(date +%s)
# podman-compose 1.0.3 ignores depends_on conditions (it only orders the starts), so the ones docker-compose.yml
# declares are kept here: kafka healthy (its healthcheck command), then kafka-topics completed successfully, then
# the services. Without that, ingest's publication can start before the topics exist and fail.
log "podman-compose up -d kafka (project $PROJECT; log in the failure output)"
compose up -d kafka >"$work/compose.log" 2>&1 || { cat "$work/compose.log" >&2; die "podman-compose up kafka failed"; }
wait_until 120 "kafka healthy" podman exec "${PROJECT}_kafka_1" sh -c \
  '/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:9092 >/dev/null 2>&1' \
  || die "kafka not healthy within 120 s (its compose healthcheck)"
log "kafka healthy $(( $(date +%s) - stack_started )) s after 'up'"
compose up -d kafka-topics >>"$work/compose.log" 2>&1 || { cat "$work/compose.log" >&2; die "podman-compose up kafka-topics failed"; }
topics_exit="$(timeout 180 podman wait "${PROJECT}_kafka-topics_1" 2>/dev/null || echo timeout)"
[ "$topics_exit" = 0 ] || { dump_logs "${PROJECT}_kafka-topics_1"; die "kafka-topics did not complete successfully (exit $topics_exit)"; }
log "kafka-topics completed successfully; podman-compose up -d ${SERVICES_UP[*]:2}"
compose up -d "${SERVICES_UP[@]:2}" >>"$work/compose.log" 2>&1 || { cat "$work/compose.log" >&2; die "podman-compose up failed"; }
podman ps --filter "label=io.podman.compose.project=$PROJECT" --format "  {{.Names}}  {{.Image}}  {{.Status}}"

wait_http() {
  local what="$1" url="$2" limit="$3"
  wait_until "$limit" "$what" curl -fs -m 2 -o /dev/null "$url" || die "$what ($url) not up within $limit s"
  log "$what up $(( $(date +%s) - stack_started )) s after 'up'"
}
wait_http "inference-service" http://127.0.0.1:8080/q/health/live 180
wait_http "trainer-service" http://127.0.0.1:8082/q/health/ready 180
wait_http "ingest-service" http://127.0.0.1:8081/q/health/ready 180
wait_http "console" http://127.0.0.1:8083/q/health/ready 180
wait_http "prometheus" http://127.0.0.1:9090/-/ready 60

# Published on this machine only (FMNIST_BIND_HOST unset): the ports answer on 127.0.0.1 and not on the host's
# other address; Kafka's PLAINTEXT host listener in particular is never reachable from elsewhere.
other_ip="$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -v -e '^127\.' -e ':' -e '^$' | sed -n 1p || true)"
if [ -n "$other_ip" ]; then
  for port in 8080 8081 8082 8083 9090 9094; do
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null || die "port $port does not answer on 127.0.0.1"
    if timeout 2 bash -c "exec 3<>/dev/tcp/$other_ip/$port" 2>/dev/null; then
      die "port $port answers on $other_ip: compose published it beyond this machine"
    fi
  done
  log "ports 8080-8083, 9090 and 9094 answer on 127.0.0.1 only (not on $other_ip)"
else
  log "no address besides loopback: the 127.0.0.1-only check is skipped"
fi

log "waiting for the trainer's 10 epochs ..."
deadline=$(( $(date +%s) + 600 ))
until curl -fsS -m 5 http://127.0.0.1:8082/api/v1/training 2>/dev/null \
    | "$PY" -c 'import json,sys; s=json.load(sys.stdin); sys.exit(0 if s["state"]=="COMPLETED" and s["modelVersion"]==10 else 1)' 2>/dev/null; do
  [ "$(date +%s)" -lt "$deadline" ] || die "training in compose not COMPLETED v10 within 600 s: $(curl -sS -m 5 http://127.0.0.1:8082/api/v1/training | head -c 400)"
  sleep 2
done
wait_until 60 "v10 served" sh -c 'curl -fsS -m 2 http://127.0.0.1:8080/api/v1/model | grep -q "\"version\":10,"' \
  || die "inference in compose does not serve v10"
log "compose: trained to v10 and served $(( $(date +%s) - stack_started )) s after 'up'"

# 20 s of load: labelled test images as raw bytes (online accuracy), some bad requests, a PNG bomb.
"$PY" "$CONTAINERS_DIR/payloads.py" png-bomb "$work/bomb.png"
"$PY" - "$FMNIST_DATA_DIR" "$work" <<'EOF'
import gzip, os, sys
folder, work = sys.argv[1], sys.argv[2]
with gzip.open(os.path.join(folder, 't10k-images-idx3-ubyte.gz')) as images, \
        gzip.open(os.path.join(folder, 't10k-labels-idx1-ubyte.gz')) as labels:
    images.read(16); labels.read(8)
    for i in range(50):
        with open(os.path.join(work, '%d.raw' % i), 'wb') as out:
            out.write(images.read(784))
        with open(os.path.join(work, '%d.label' % i), 'w') as out:
            out.write(str(labels.read(1)[0]))
EOF
load_until=$(( $(date +%s) + 20 ))
sent=0
while [ "$(date +%s)" -lt "$load_until" ]; do
  i=$(( sent % 50 ))
  curl -s -o /dev/null -m 5 -H 'Content-Type: application/octet-stream' --data-binary @"$work/$i.raw" \
    "http://127.0.0.1:8080/api/v1/classify?label=$(cat "$work/$i.label")" || true
  if [ $(( sent % 10 )) = 0 ]; then
    curl -s -o /dev/null -m 5 -H 'Content-Type: application/json' -d '{"pixels": [1, 2]}' http://127.0.0.1:8080/api/v1/classify || true
    curl -s -o /dev/null -m 5 -H 'Content-Type: image/png' --data-binary @"$work/bomb.png" http://127.0.0.1:8080/api/v1/classify || true
  fi
  sent=$(( sent + 1 ))
done
log "load: $sent labelled raw requests in 20 s, $(( (sent + 9) / 10 )) bad JSON and $(( (sent + 9) / 10 )) PNG bombs"
sleep 12   # two more scrapes

targets="$(curl -fsS -m 5 http://127.0.0.1:9090/api/v1/targets | "$PY" -c '
import json, sys
for t in json.load(sys.stdin)["data"]["activeTargets"]:
    print("  %-18s %-30s %s %s" % (t["labels"].get("job"), t["scrapeUrl"], t["health"], t.get("lastError", "")))')"
log "Prometheus targets:"
printf '%s\n' "$targets"
if printf '%s\n' "$targets" | grep -qv ' up '; then die "a scrape target is not up"; fi

log "every query of $(basename "$DASHBOARD") through Prometheus' HTTP API, over the run:"
"$PY" "$CONTAINERS_DIR/dashboard-queries.py" "$DASHBOARD" http://127.0.0.1:9090 "$stack_started" "$(date +%s)" 5 5 \
  || die "a dashboard query returned no data (table above)"
log "compose stack: OK"
