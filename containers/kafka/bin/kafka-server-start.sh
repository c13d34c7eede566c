#!/bin/bash
# kafka-server-start.sh server.properties: the broker in the foreground (stand-in image).
exec /opt/kafka/bin/kafka-run-class.sh kafka.Kafka "$@"
