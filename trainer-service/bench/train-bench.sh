#!/usr/bin/env bash
# Full seed run through a real in-JVM Kafka broker: publish 70,000 images, train 10 epochs, print the
# epoch table. Usage: trainer-service/bench/train-bench.sh [epochs] [torch-threads] [family: softmax, mlp, cnn]
# Builds with the reactor (no mvn install: the local repository's SNAPSHOTs stay as they are).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/.." && pwd)"
data="${FMNIST_DATA_DIR:-$root/../shared/data/fashion-mnist}"
cd "$root"
build=(-B -q -pl trainer-service -am test-compile dependency:build-classpath -Dmdep.includeScope=test
  -Dmdep.outputFile=target/bench.classpath)
mvn -o "${build[@]}" >/dev/null 2>&1 || mvn "${build[@]}"
cd "$here"
exec java -Xmx512m -XX:+UseSerialGC -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  dev.fmnist.trainer.bench.TrainBench "$data" "${1:-10}" "${2:-1}" "${3:-softmax}"
