package dev.fmnist.broker;

import dev.fmnist.contracts.Topics;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The local broker process of {@code ./fmnist up}:
 * {@code java -cp 'kafka-broker/target/lib/*:kafka-broker/target/kafka-broker.jar' dev.fmnist.broker.LocalKafkaMain
 * --data DIR --port 9092 --controller-port 9093}. Creates the pipeline's topics, prints one line
 * "ready bootstrap=host:port" and runs until SIGTERM / Ctrl-C, which shut it down cleanly.
 */
public final class LocalKafkaMain {
    private LocalKafkaMain() {
    }

    public static void main(String[] args) {
        Path data = Path.of("target/kafka-data");
        String host = "localhost";
        int port = 9092;
        int controllerPort = 9093;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--data" -> data = Path.of(args[++i]);
                    case "--host" -> host = args[++i];
                    case "--port" -> port = Integer.parseInt(args[++i]);
                    case "--controller-port" -> controllerPort = Integer.parseInt(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
        } catch (RuntimeException e) {
            System.err.println("kafka-broker: " + e.getMessage()
                    + "\nusage: LocalKafkaMain [--data DIR] [--host HOST] [--port 9092] [--controller-port 9093]");
            System.exit(2);
        }
        for (int p : List.of(port, controllerPort)) {
            if (!free(p)) {
                System.err.println("kafka-broker: port " + p + " is already in use (another broker running?)");
                System.exit(1);
            }
        }
        KafkaBroker broker = KafkaBroker.start(new KafkaBroker.Settings(data, host, port, controllerPort, Map.of()));
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "broker-shutdown"));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            List<String> created = Topics.ensure(admin, (short) 1);
            System.out.println("topics created: " + (created.isEmpty() ? "none (all existed)" : String.join(", ", created)));
        }
        System.out.println("ready bootstrap=" + broker.bootstrapServers());
        System.out.flush();
        broker.awaitShutdown();
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
