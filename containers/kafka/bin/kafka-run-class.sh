#!/bin/bash
# kafka-run-class.sh CLASS [ARGS]: runs a class of Kafka's jars (stand-in image; see containers/kafka/Containerfile).
# Logs go through slf4j-simple to stderr, at KAFKA_LOG_LEVEL (default info).
set -euo pipefail
exec java ${KAFKA_HEAP_OPTS:--Xmx512m -Xms512m} ${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20} \
  ${KAFKA_OPTS:-} -Dorg.slf4j.simpleLogger.defaultLogLevel="${KAFKA_LOG_LEVEL:-info}" \
  -Dorg.slf4j.simpleLogger.showDateTime=true -cp '/opt/kafka/libs/*' "$@"
