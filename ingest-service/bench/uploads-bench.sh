#!/usr/bin/env bash
# Benchmark: images/s through fmnist.uploads. Starts a local broker and the packaged ingest service,
# produces N PNG records with a label header (a plain producer), and waits until ingest has
# published them all as user images. Usage: ingest-service/bench/uploads-bench.sh [N] [DATA_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/.." && pwd)"
n="${1:-20000}"
data="${2:-${FMNIST_DATA_DIR:-$root/../shared/data/fashion-mnist}}"
work="$(mktemp -d /tmp/fmnist-uploads-bench.XXXXXX)"
pids=()
cleanup() {
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill "${pids[$i]}" 2>/dev/null || true; wait "${pids[$i]}" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

cd "$root"
if [[ ! -f "$here/target/quarkus-app/quarkus-run.jar" || ! -d "$root/kafka-broker/target/lib" ]]; then
  echo "building (mvn package -pl ingest-service -am -DskipTests)..."
  mvn -B -q package -pl kafka-broker,ingest-service -am -DskipTests
fi
# with -am: the modules it depends on come from this checkout, not from whatever ~/.m2 holds
mvn -B -q -o test-compile dependency:build-classpath -pl ingest-service -am -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/bench.classpath >/dev/null

kport=$(free_port); cport=$(free_port); hport=$(free_port)
java -Xmx1g -cp "$root/kafka-broker/target/lib/*:$(ls "$root"/kafka-broker/target/kafka-broker-*.jar | head -1)" dev.fmnist.broker.LocalKafkaMain --data "$work/kafka" --host 127.0.0.1 \
  --port "$kport" --controller-port "$cport" > "$work/broker.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do grep -q "^ready" "$work/broker.log" && break; sleep 0.5; done
grep -q "^ready" "$work/broker.log" || { echo "broker did not start"; tail -20 "$work/broker.log"; exit 1; }
java -Xmx512m -XX:+UseParallelGC -Dquarkus.http.port="$hport" -Dquarkus.http.host=127.0.0.1 \
  -Dkafka.bootstrap.servers="127.0.0.1:$kport" -Dquarkus.log.level=WARN \
  -jar "$here/target/quarkus-app/quarkus-run.jar" > "$work/service.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$hport/q/health/ready" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$hport/q/health/ready" >/dev/null || { echo "ingest not ready"; tail -30 "$work/service.log"; exit 1; }
echo "machine: $(nproc) cores, load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
java -Xmx1g -cp "$here/target/test-classes:$here/target/classes:$(cat "$here/target/bench.classpath")" \
  dev.fmnist.ingest.bench.UploadsBench "127.0.0.1:$kport" "http://127.0.0.1:$hport/q/metrics" "$data" "$n"
