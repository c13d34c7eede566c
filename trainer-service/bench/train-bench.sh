#!/usr/bin/env bash
# Full seed run through a real in-JVM Kafka broker: publish 70,000 images, train 10 epochs, print the
# epoch table. Usage: trainer-service/bench/train-bench.sh [epochs] [torch-threads]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/.." && pwd)"
data="${FMNIST_DATA_DIR:-$root/../shared/data/fashion-mnist}"
cd "$root"
mvn -B -q -o install -pl trainer-service -am -DskipTests >/dev/null 2>&1 || mvn -B -q install -pl trainer-service -am -DskipTests
cd "$here"
mvn -B -q -o test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath \
  >/dev/null 2>&1 || mvn -B -q test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
exec java -Xmx2g -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  dev.fmnist.trainer.bench.TrainBench "$data" "${1:-10}" "${2:-1}"
