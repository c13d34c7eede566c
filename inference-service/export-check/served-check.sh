#!/usr/bin/env bash
# Checks what a running inference service serves against the whole test split, per model: the test
# accuracy its snapshot records, REST scoring of the 10,000 test images, and ONNX Runtime on the model's
# ONNX export must all be equal (ServedModelCheck; exit 1 otherwise).
#   inference-service/export-check/served-check.sh http://localhost:8080 softmax,cnn
# Builds the test classpath with the reactor (no mvn install).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/.." && pwd)"
data="${FMNIST_DATA_DIR:-$root/../shared/data/fashion-mnist}"
cd "$root"
build=(-B -q -pl inference-service -am test-compile dependency:build-classpath -Dmdep.includeScope=test
  -Dmdep.outputFile=target/check.classpath)
mvn -o "${build[@]}" >/dev/null 2>&1 || mvn "${build[@]}"
cd "$here"
exec java -Xmx1g -cp "target/test-classes:target/classes:$(cat target/check.classpath)" \
  dev.fmnist.inference.export.ServedModelCheck "${1:?inference url}" "$data" "${2:-softmax}"
