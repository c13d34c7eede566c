#!/usr/bin/env bash
# Latency and throughput of POST /api/v1/classify (raw bytes and PNG; KINDS="raw png json" adds JSON pixels)
# on the packaged service.
# Starts a local Kafka broker and the service on free ports of 127.0.0.1, publishes a snapshot,
# then: (a) fixed rate (default 1,000 req/s for 20 s) -> p50/p99; (b) saturation -> req/s.
# Every load run is bounded in time and only targets 127.0.0.1. Run from anywhere:
#   inference-service/bench/classify-bench.sh            (env: RATE, SECONDS_RATE, SECONDS_MAX, CONNS_RATE, CONNS_MAX)
# SECONDS_MAX over 120 (e.g. 600, a memory run) holds wrk that long; the Java generator stops at 120 s.
# WRK_RUNS=3 repeats the wrk saturation run (the soak benchmark takes their median).
# MODEL=cnn (or mlp) serves and scores that family instead of softmax (a seeded random network of its architecture).
# CANDIDATE=1 (softmax) also publishes a v2 that stays a candidate for the whole run (gated; one labelled request,
# so it waits for shadow evidence; shadow max-wait 1 h, min-labelled out of reach): every request is then
# shadow-scored by it as well (the cost of shadow scoring).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DATA_DIR="${FMNIST_DATA_DIR:-$ROOT/../shared/data/fashion-mnist}"
RATE="${RATE:-1000}"
SECONDS_RATE="${SECONDS_RATE:-20}"
SECONDS_MAX="${SECONDS_MAX:-15}"
CONNS_RATE="${CONNS_RATE:-8}"
CONNS_MAX="${CONNS_MAX:-16}"
MODEL="${MODEL:-softmax}"
CANDIDATE="${CANDIDATE:-0}"
# random networks (MODEL=cnn, mlp) carry no test accuracy, which the gated policy refuses: they are served under latest
POLICY="${POLICY:-$([[ "$MODEL" == softmax ]] && echo gated || echo latest)}"
WORK="$(mktemp -d /tmp/fmnist-bench.XXXXXX)"
PIDS=()

cleanup() {
  # service first, then the broker: the service must not log a vanished broker
  for ((i=${#PIDS[@]}-1; i>=0; i--)); do kill "${PIDS[$i]}" 2>/dev/null || true; wait "${PIDS[$i]}" 2>/dev/null || true; done
  if [[ -n "${KEEP_LOGS:-}" ]]; then echo "logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# ---- what we need: the packaged service, the broker classpath, the bench classes, wrk ----
if [[ ! -f "$ROOT/inference-service/target/quarkus-app/quarkus-run.jar" || ! -d "$ROOT/kafka-broker/target/lib" \
      || ! -f "$ROOT/inference-service/target/test-classes/dev/fmnist/inference/bench/LoadGen.class" ]]; then
  echo "building (mvn install -pl inference-service -am -DskipTests, test classes compiled)..."
  (cd "$ROOT" && mvn -B -q install -pl inference-service -am -DskipTests)
fi
BROKER_CP="$ROOT/kafka-broker/target/lib/*:$(ls "$ROOT"/kafka-broker/target/kafka-broker-*.jar | head -1)"
BENCH_CP="$ROOT/inference-service/target/test-classes:$ROOT/kafka-broker/target/lib/*"
if ! command -v wrk >/dev/null 2>&1; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "installing wrk (Debian package)..."
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null || true
  fi
fi
command -v wrk >/dev/null 2>&1 && echo "wrk: $(wrk --version 2>&1 | head -1)" || echo "wrk: not available, saturation measured by the Java generator only"

# ---- broker ----
KPORT=$(free_port); CPORT=$(free_port)
java -Xmx1g -cp "$BROKER_CP" dev.fmnist.broker.LocalKafkaMain --data "$WORK/kafka" --host 127.0.0.1 \
  --port "$KPORT" --controller-port "$CPORT" > "$WORK/broker.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 120); do grep -q "^ready" "$WORK/broker.log" && break; sleep 0.5; done
grep -q "^ready" "$WORK/broker.log" || { echo "broker did not start"; tail -20 "$WORK/broker.log"; exit 1; }
echo "broker: 127.0.0.1:$KPORT"

# ---- service ----
HPORT=$(free_port)
# fmnist.auth.enabled=false: PublishSnapshot writes an unsigned snapshot, which a service with auth on refuses
# (no signing key); the bench runs on 127.0.0.1 only
java ${SERVICE_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC} -Dquarkus.http.port="$HPORT" -Dquarkus.http.host=127.0.0.1 -Dkafka.bootstrap.servers="127.0.0.1:$KPORT" \
  -Dfmnist.auth.enabled=false -Dfmnist.inference.models="$MODEL" \
  -Dfmnist.inference.promotion.policy="$POLICY" -Dfmnist.inference.promotion.shadow.max-wait=PT1H \
  -Dfmnist.inference.promotion.shadow.min-labelled=2000000000 \
  -Dquarkus.log.level=WARN -Dquarkus.log.category.\"dev.fmnist\".level=INFO \
  -jar "$ROOT/inference-service/target/quarkus-app/quarkus-run.jar" > "$WORK/service.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$HPORT/q/health/live" >/dev/null && break; sleep 0.5; done
echo "service: 127.0.0.1:$HPORT"

# ---- snapshot ----
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$BENCH_CP" dev.fmnist.inference.bench.PublishSnapshot "127.0.0.1:$KPORT" "$DATA_DIR" "$WORK/bodies" "$MODEL"
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$HPORT/q/health/ready" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$HPORT/q/health/ready" >/dev/null || { echo "service not ready"; tail -30 "$WORK/service.log"; exit 1; }
echo "model: $(curl -s "http://127.0.0.1:$HPORT/api/v1/model" | head -c 200)..."
if [[ "$CANDIDATE" == 1 ]]; then
  # one labelled request: labelled traffic exists, so v2 waits for shadow evidence (min-labelled out of reach)
  curl -s -o /dev/null -H 'Content-Type: application/octet-stream' --data-binary @"$WORK/bodies/image.raw" \
    "http://127.0.0.1:$HPORT/api/v1/classify?label=9"
  java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$BENCH_CP" dev.fmnist.inference.bench.PublishSnapshot \
    "127.0.0.1:$KPORT" "$DATA_DIR" "$WORK/bodies" "$MODEL" 2
  for _ in $(seq 1 60); do curl -s "http://127.0.0.1:$HPORT/q/metrics" | grep -q 'fmnist_inference_shadow_version{model="fmnist-softmax",role="candidate"} 2.0' && break; sleep 0.5; done
  echo "shadowed: $(curl -s "http://127.0.0.1:$HPORT/q/metrics" | grep '^fmnist_inference_shadow_version' | tr '\n' ' ')"
fi
echo "sample answer (raw): $(curl -s -H 'Content-Type: application/octet-stream' --data-binary @"$WORK/bodies/image.raw" "http://127.0.0.1:$HPORT/api/v1/classify")"
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

load() { java -Xms256m -Xmx256m -cp "$BENCH_CP" dev.fmnist.inference.bench.LoadGen "$@"; }

for kind in ${KINDS:-raw png}; do
  case $kind in raw) ct=application/octet-stream ;; json) ct=application/json ;; *) ct=image/png ;; esac
  body="$WORK/bodies/image.$kind"
  echo "== $kind ($ct, $(stat -c %s "$body") bytes) =="
  if [[ -n "${REPEAT_RATE:-}" ]]; then echo "(a0) fixed-rate run, not reported:"; load rate "$HPORT" "$ct" "$body" "$CONNS_RATE" "$SECONDS_RATE" "$RATE" || true; fi
  echo "(a) fixed rate $RATE req/s for ${SECONDS_RATE}s:"
  load rate "$HPORT" "$ct" "$body" "$CONNS_RATE" "$SECONDS_RATE" "$RATE"
  echo "(b) saturation, ${SECONDS_MAX}s, $CONNS_MAX connections (Java generator):"
  load max "$HPORT" "$ct" "$body" "$CONNS_MAX" "$(( SECONDS_MAX < 120 ? SECONDS_MAX : 120 ))"  # the generator's bound
  if command -v wrk >/dev/null 2>&1; then
    for ((run = 1; run <= ${WRK_RUNS:-1}; run++)); do
      echo "(b) saturation, ${SECONDS_MAX}s, wrk -t1 -c$CONNS_MAX (run $run of ${WRK_RUNS:-1}):"
      BODY_FILE="$body" CONTENT_TYPE="$ct" wrk -t1 -c"$CONNS_MAX" -d"${SECONDS_MAX}s" --latency \
        -s "$HERE/post.lua" "http://127.0.0.1:$HPORT/api/v1/classify" | grep -E "Latency|50%|99%|Requests/sec|wrk:|Non-2xx"
    done
  fi
  echo "  service-side fmnist_inference_latency (parse + decode + score, seconds, last 2 min):"
  curl -s "http://127.0.0.1:$HPORT/q/metrics" | grep -E "^fmnist_inference_latency_seconds\{content_type=\"$kind\",model=\"[^\"]*\",quantile" | sed 's/^/    /' || true
  echo
done

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
[[ "$CANDIDATE" == 1 ]] && curl -s "http://127.0.0.1:$HPORT/q/metrics" | grep -E '^fmnist_inference_shadow_(requests_total|dropped_total)\{' | grep -v ' 0.0$' || true
curl -s "http://127.0.0.1:$HPORT/q/metrics" | grep -E '^fmnist_inference_requests_total\{content_type="(raw|png|json)",model="[^"]*",outcome=' | grep -v ' 0.0$' || true
