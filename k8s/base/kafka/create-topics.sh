#!/bin/bash
# Creates the pipeline's topics exactly as contracts' dev.fmnist.contracts.Topics.ALL declares them
# (deploy-checks' TopicsScriptTest keeps the two in step). Idempotent: an existing topic keeps its configs; one
# with fewer partitions than declared is grown to the declared count (as Topics.grow does; a key may then map to
# another partition, see contracts' Topics.grow), never shrunk.
# Used by docker-compose.yml (service kafka-topics) and by the Kubernetes Job kafka-topics; runs in the
# apache/kafka image, which ships kafka-topics.sh.
set -euo pipefail

BOOTSTRAP="${KAFKA_BOOTSTRAP_SERVERS:-kafka:9092}"
REPLICATION_FACTOR="${FMNIST_TOPIC_REPLICATION_FACTOR:-1}"
KAFKA_TOPICS=/opt/kafka/bin/kafka-topics.sh

for attempt in $(seq 1 60); do
  if "$KAFKA_TOPICS" --bootstrap-server "$BOOTSTRAP" --list >/dev/null 2>&1; then
    break
  fi
  if [ "$attempt" -eq 60 ]; then
    echo "broker $BOOTSTRAP not reachable after 60 attempts" >&2
    exit 1
  fi
  echo "waiting for broker $BOOTSTRAP ($attempt/60)"
  sleep 2
done

# create NAME PARTITIONS [CONFIG=VALUE ...]
create() {
  local name="$1" partitions="$2"
  shift 2
  local configs=()
  for config in "$@"; do
    configs+=(--config "$config")
  done
  "$KAFKA_TOPICS" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists \
    --topic "$name" --partitions "$partitions" --replication-factor "$REPLICATION_FACTOR" "${configs[@]}"
  local now
  now=$("$KAFKA_TOPICS" --bootstrap-server "$BOOTSTRAP" --describe --topic "$name" \
    | grep -o 'PartitionCount: *[0-9]*' | head -1 | grep -o '[0-9]*$')
  if [ "${now:-0}" -lt "$partitions" ]; then
    echo "growing $name from $now to $partitions partitions"
    "$KAFKA_TOPICS" --bootstrap-server "$BOOTSTRAP" --alter --topic "$name" --partitions "$partitions"
  fi
}

create fmnist.train 1 retention.ms=-1 retention.bytes=-1
create fmnist.test 1 retention.ms=-1 retention.bytes=-1
create fmnist.uploads 3 retention.ms=604800000 max.message.bytes=10551296
create fmnist.snapshots 1 cleanup.policy=compact min.compaction.lag.ms=60000
create fmnist.model-control 1 cleanup.policy=compact
create fmnist.requests 6
create fmnist.predictions 6
create fmnist.dead-letter 1 retention.ms=1209600000
create fmnist.alerts 1 retention.ms=2592000000

"$KAFKA_TOPICS" --bootstrap-server "$BOOTSTRAP" --describe --topic 'fmnist\..*'
