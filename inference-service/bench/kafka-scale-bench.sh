#!/usr/bin/env bash
# Kafka-request throughput of 1, 2 and 3 inference replicas (real processes of the packaged service, one
# consumer group fmnist-inference) on a local broker, or on a three-broker cluster with BROKERS=3.
# Per step one more replica starts, a warm-up stream is answered in full, then a backlog of MEASURE requests
# (test images as JSON pixels, ~3 KB each) is sent; requests/s = MEASURE / (first send .. last answer).
# Everything runs on this machine: brokers, replicas and the load generator share its cores, so the
# scale-out ratio is bounded by them (nproc is printed). Run from anywhere:
#   inference-service/bench/kafka-scale-bench.sh      (env: BROKERS=1|3, REPLICAS=3, WARMUP=10000, MEASURE=30000, KEEP_LOGS=1)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DATA_DIR="${FMNIST_DATA_DIR:-$ROOT/../shared/data/fashion-mnist}"
BROKERS="${BROKERS:-1}"
WORK="$(mktemp -d /tmp/fmnist-kafka-bench.XXXXXX)"
PIDS=()

cleanup() {
  for ((i=${#PIDS[@]}-1; i>=0; i--)); do kill "${PIDS[$i]}" 2>/dev/null || true; wait "${PIDS[$i]}" 2>/dev/null || true; done
  if [[ -n "${KEEP_LOGS:-}" ]]; then echo "logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

if [[ ! -f "$ROOT/inference-service/target/quarkus-app/quarkus-run.jar" || ! -d "$ROOT/kafka-broker/target/lib" \
      || ! -f "$ROOT/inference-service/target/test-classes/dev/fmnist/inference/bench/KafkaScaleBench.class" ]]; then
  echo "building (mvn package -pl inference-service -am -DskipTests, test classes compiled)..."
  (cd "$ROOT" && mvn -B -q -o package -pl inference-service -am -DskipTests)
fi
BROKER_CP="$ROOT/kafka-broker/target/lib/*:$(ls "$ROOT"/kafka-broker/target/kafka-broker-*.jar | grep -v tests | head -1)"
BENCH_CP="$ROOT/inference-service/target/test-classes:$ROOT/inference-service/target/quarkus-app/lib/main/*"

# ---- broker(s) ----
if [[ "$BROKERS" == 1 ]]; then
  KPORT=$(free_port); CPORT=$(free_port)
  java -Xmx512m -cp "$BROKER_CP" dev.fmnist.broker.LocalKafkaMain --data "$WORK/kafka" --host 127.0.0.1 \
    --port "$KPORT" --controller-port "$CPORT" > "$WORK/broker.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 120); do grep -q "^ready" "$WORK/broker.log" && break; sleep 0.5; done
  grep -q "^ready" "$WORK/broker.log" || { echo "broker did not start"; tail -20 "$WORK/broker.log"; exit 1; }
  BOOTSTRAP="127.0.0.1:$KPORT"; RF=1
else
  # a KRaft cluster of BROKERS combined nodes (LocalKafkaMain --node-id), every node a voter; the nodes create
  # the topics with replication factor 3 and min.insync.replicas 2
  CLUSTER_ID=$(python3 -c 'import base64,os; print(base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("="))')
  PORTS=(); CPORTS=(); VOTERS=""
  for n in $(seq 1 "$BROKERS"); do
    PORTS+=("$(free_port)"); CPORTS+=("$(free_port)")
    VOTERS="${VOTERS:+$VOTERS,}$n@127.0.0.1:${CPORTS[$((n-1))]}"
  done
  BOOTSTRAP=""
  for n in $(seq 1 "$BROKERS"); do
    java -Xmx384m -cp "$BROKER_CP" dev.fmnist.broker.LocalKafkaMain --data "$WORK/kafka-$n" --host 127.0.0.1 \
      --port "${PORTS[$((n-1))]}" --node-id "$n" --voters "$VOTERS" --cluster-id "$CLUSTER_ID" > "$WORK/broker-$n.log" 2>&1 &
    PIDS+=($!)
    BOOTSTRAP="${BOOTSTRAP:+$BOOTSTRAP,}127.0.0.1:${PORTS[$((n-1))]}"
  done
  for n in $(seq 1 "$BROKERS"); do
    for _ in $(seq 1 240); do grep -q "^ready" "$WORK/broker-$n.log" && break; sleep 0.5; done
    grep -q "^ready" "$WORK/broker-$n.log" || { echo "broker $n did not start"; tail -20 "$WORK/broker-$n.log"; exit 1; }
  done
  RF=$(( BROKERS < 3 ? BROKERS : 3 ))
fi
echo "brokers: $BROKERS ($BOOTSTRAP), replication factor $RF"
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), load average now: $(cut -d' ' -f1-3 /proc/loadavg)"

cd "$ROOT/inference-service"
java -Xms256m -Xmx512m -Dfmnist.test.data-dir="$DATA_DIR" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$BENCH_CP" dev.fmnist.inference.bench.KafkaScaleBench "$BOOTSTRAP" "$RF" "$WORK/replicas" \
  "${REPLICAS:-3}" "${WARMUP:-10000}" "${MEASURE:-30000}"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
