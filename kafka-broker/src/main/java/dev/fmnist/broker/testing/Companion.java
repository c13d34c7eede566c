package dev.fmnist.broker.testing;

import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;

/** SmallRye's KafkaCompanion for a test; only loaded where the test's classpath has it. */
final class Companion {
    private static final String CLASS = "io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion";

    private Companion() {
    }

    static boolean onClasspath() {
        try {
            Class.forName(CLASS, false, Companion.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    static Class<?> type() {
        return KafkaCompanion.class;
    }

    /** A companion whose clients use {@code clientProperties} (bootstrap servers and, when secured, the credentials). */
    static AutoCloseable create(Map<String, ?> clientProperties) {
        Map<String, Object> common = new HashMap<>(clientProperties);
        KafkaCompanion companion = new KafkaCompanion((String) common.remove(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
        companion.setCommonClientConfig(common);
        return companion;
    }
}
