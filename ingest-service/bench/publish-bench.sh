#!/usr/bin/env bash
# Benchmark: publish all 70,000 Fashion-MNIST images to a local in-JVM Kafka broker and print the times.
# Usage: ingest-service/bench/publish-bench.sh [DATA_DIR] [RUNS]   (from anywhere; needs the module built once)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/.." && pwd)"
data="${1:-$root/../shared/data/fashion-mnist}"
runs="${2:-3}"
cd "$root"
# with -am: the modules it depends on (contracts, service-api, service-support and its test jar) come from this
# checkout, not from whatever ~/.m2 holds; each module writes its own target/bench.classpath
mvn -B -q -o test-compile dependency:build-classpath -pl ingest-service -am -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/bench.classpath >/dev/null
exec java -Xmx2g -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "$here/target/test-classes:$here/target/classes:$(cat "$here/target/bench.classpath")" \
    dev.fmnist.ingest.bench.PublishBench "$data" "$runs"
