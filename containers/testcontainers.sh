#!/usr/bin/env bash
# The integration tests' container path for real: podman serves the Docker Engine API on a private socket,
# and ingest-service's IngestIT runs with -Dfmnist.test.kafka=container, so KafkaTestResource starts
# Testcontainers' KafkaContainer from apache/kafka:4.1.2 (in podman's store: containers/base-images.sh builds it
# from Kafka's Maven artifacts, since nothing can be pulled here). Ryuk is disabled (it needs the socket mounted
# into a container of its own, which podman as root here does not run); the tests stop their container
# themselves, and this script removes any container the run left. Passes when the ITs pass and a container
# of that image was started through the socket during the run.
#   containers/testcontainers.sh [IT class, default IngestIT] [module, default ingest-service]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ENGINE=podman
pick_engine
IT="${1:-IngestIT}" MODULE="${2:-ingest-service}"
image_exists "$KAFKA_IMAGE" || die "$KAFKA_IMAGE is not in podman's store (containers/base-images.sh builds it)"
work="$(mktemp -d)"
socket="$work/podman.sock"
since="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

podman system service --time=0 "unix://$socket" >"$work/service.log" 2>&1 &
service_pid=$!
cleanup() {
  local rc=$?
  kill "$service_pid" 2>/dev/null || true
  wait "$service_pid" 2>/dev/null || true
  # Containers of the Kafka image the run may have left (a test JVM killed before its stop()).
  podman ps -a -q --filter "ancestor=$KAFKA_IMAGE" --filter "since=$since" 2>/dev/null | xargs -r podman rm -f >/dev/null 2>&1 || true
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
wait_until 20 "podman API socket" curl -fs --unix-socket "$socket" http://d/v1.41/_ping \
  || { cat "$work/service.log" >&2; die "podman system service did not answer on $socket"; }
log "podman serves the Docker API on $socket ($(curl -fs --unix-socket "$socket" http://d/v1.41/version | /usr/bin/python3 -c 'import json,sys; v=json.load(sys.stdin); print(v["Version"], "API", v["ApiVersion"])'))"

export DOCKER_HOST="unix://$socket" TESTCONTAINERS_RYUK_DISABLED=true
# Testcontainers reads ~/.testcontainers.properties too; the environment wins for these two.
log "mvn: $MODULE's $IT with -Dfmnist.test.kafka=container (the modules it needs are built first, tests skipped)"
(cd "$REPO_ROOT" && mvn -B -o -pl "$MODULE" -am verify -Dfmnist.test.kafka=container -Dit.test="$IT" \
    -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false) >"$work/mvn.log" 2>&1 \
  || { tail -80 "$work/mvn.log" >&2; die "$IT with the Testcontainers broker failed"; }
grep -E 'Tests run:.*Fail' "$work/mvn.log" | tail -2
# podman's own record (events_logger=file) of the containers Testcontainers started through the socket.
started="$(timeout 30 podman events --since "$since" --stream=false --filter event=start 2>/dev/null \
  | grep "image=$KAFKA_IMAGE" | grep -c 'org.testcontainers=true' || true)"
[ "${started:-0}" -gt 0 ] || { grep -iE 'testcontainers|docker' "$work/mvn.log" | head -20 >&2; die "no $KAFKA_IMAGE container was started: the ITs did not take the container path"; }
log "Testcontainers started $started container(s) of $KAFKA_IMAGE through podman's socket (podman events)"
grep -E 'Resolved dockerHost|Docker host IP' "$work/mvn.log" | head -2 | sed 's/^.*) /  /' | cut -c1-160 || true
log "Testcontainers through podman: OK"
