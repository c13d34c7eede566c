# Shared by the scripts in containers/: the container engine, bounded waits, clean failure messages.
# Sourced, not run.

CONTAINERS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$CONTAINERS_DIR/.." && pwd)"

# Names of the stand-in base images (containers/base-images.sh) and of the service images.
STANDIN_DEBIAN=localhost/fmnist-standin/debian:bookworm-slim
STANDIN_JRE=localhost/fmnist-standin/jre:17
STANDIN_JDK=localhost/fmnist-standin/jdk:17
STANDIN_PROMETHEUS=localhost/fmnist-standin/prometheus:debian
# The Kafka stand-in carries the name Testcontainers and docker-compose.yml use.
KAFKA_IMAGE=docker.io/apache/kafka:4.1.2
SERVICES=(ingest-service trainer-service inference-service)
SERVICE_VERSION=0.1.0

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { printf '[%s] FAIL: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; exit 1; }

# The engine: docker where it answers, else podman. As root podman needs empty default ulimits
# (runc cannot set RLIMIT_NPROC here: "error setting rlimit type 7"), given through CONTAINERS_CONF.
pick_engine() {
  if [ -n "${FMNIST_ENGINE:-}" ]; then
    ENGINE="$FMNIST_ENGINE"
  elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    ENGINE=docker
  elif command -v podman >/dev/null 2>&1; then
    ENGINE=podman
  else
    die "neither a running docker nor podman found: install one (e.g. apt-get install podman)"
  fi
  if [ "$ENGINE" = podman ] && [ "$(id -u)" = 0 ] && [ -z "${CONTAINERS_CONF:-}" ]; then
    export CONTAINERS_CONF="$CONTAINERS_DIR/podman-root.conf"
  fi
}

image_exists() { "$ENGINE" image inspect "$1" >/dev/null 2>&1; }

# image_label IMAGE LABEL: the label's value, empty when absent.
image_label() { "$ENGINE" image inspect --format "{{index .Labels \"$2\"}}" "$1" 2>/dev/null | sed 's/^<no value>$//'; }

# Bytes of an image, as the engine stores it.
image_size() { "$ENGINE" image inspect --format '{{.Size}}' "$1"; }

mib() { awk -v b="$1" 'BEGIN { printf "%.0f MiB", b / 1048576 }'; }

# wait_until SECONDS WHAT COMMAND...: runs COMMAND every half second until it succeeds; fails after SECONDS.
wait_until() {
  local limit="$1" what="$2"
  shift 2
  local deadline=$(( $(date +%s) + limit ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

# Prints the last lines of a container's log, for a failure message.
dump_logs() {
  local c
  for c in "$@"; do
    echo "----- last 60 log lines of container $c -----" >&2
    "$ENGINE" logs --tail 60 "$c" >&2 2>&1 || true
  done
}
