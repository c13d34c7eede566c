#!/bin/sh
# What refusing a decompression bomb costs, new path vs old. Timings on a shared machine are noisy:
# the ratio between the two lines is the figure that matters.
#   contracts/bench/decode-bench.sh [iterations]
set -eu
cd "$(dirname "$0")/../.."
mvn -B -o -q -pl contracts test-compile
exec java -Xmx1g -cp contracts/target/classes:contracts/target/test-classes \
    dev.fmnist.contracts.image.DecodeBench "$@"
