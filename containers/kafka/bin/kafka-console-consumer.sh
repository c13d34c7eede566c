#!/bin/bash
# kafka-console-consumer.sh of the Kafka stand-in image: org.apache.kafka.tools.consumer.ConsoleConsumer with a small heap and quiet logs.
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx256m}" KAFKA_LOG_LEVEL="${KAFKA_LOG_LEVEL:-warn}" \
  exec /opt/kafka/bin/kafka-run-class.sh org.apache.kafka.tools.consumer.ConsoleConsumer "$@"
