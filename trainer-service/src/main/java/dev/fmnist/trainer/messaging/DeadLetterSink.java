package dev.fmnist.trainer.messaging;

import dev.fmnist.contracts.DeadLetters;
import dev.fmnist.contracts.Topics;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.jboss.logging.Logger;

/**
 * Sends records the trainer cannot use to {@link Topics#DEAD_LETTER}, unchanged, with a reason.
 * Epochs replay the same records, so each bad record is reported once: the sink remembers what it
 * sent, and on start learns what an earlier trainer process already sent from the dead-letter topic.
 */
public final class DeadLetterSink {
    public static final String SERVICE = "trainer-service";
    private static final Logger LOG = Logger.getLogger(DeadLetterSink.class);

    private final Producer<byte[], byte[]> producer;
    private final ReportLedger reported = new ReportLedger();
    private final Consumer<String> onSent;

    /** @param onSent called with the reason once the broker acknowledged a dead letter */
    public DeadLetterSink(Producer<byte[], byte[]> producer, Consumer<String> onSent) {
        this.producer = producer;
        this.onSent = onSent;
    }

    /** Reads the dead-letter topic once and remembers the records this service already reported. */
    public void loadReported(KafkaClients clients, Duration timeout) {
        clients.scan(Topics.DEAD_LETTER, timeout, r -> {
            if (SERVICE.equals(DeadLetters.header(r.headers(), DeadLetters.SERVICE))) {
                reported.remember(key(DeadLetters.header(r.headers(), DeadLetters.SOURCE_TOPIC),
                        DeadLetters.header(r.headers(), DeadLetters.SOURCE_PARTITION),
                        DeadLetters.header(r.headers(), DeadLetters.SOURCE_OFFSET)));
            }
        });
    }

    /** Dead-letters a consumed record unless it was reported before; returns whether it sent one. */
    public boolean report(ConsumerRecord<byte[], byte[]> record, String reason) {
        String key = key(record.topic(), Integer.toString(record.partition()), Long.toString(record.offset()));
        if (!reported.claim(key)) {
            return false;
        }
        LOG.warnf("dead-lettering %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), reason);
        producer.send(DeadLetters.of(SERVICE, record.topic(), record.partition(), record.offset(),
                record.key(), record.value(), reason), (metadata, error) -> {
                    if (error != null) {
                        reported.release(key); // try again on the next replay
                        LOG.errorf("could not dead-letter %s: %s", key, error.getMessage());
                    } else {
                        onSent.accept(reason);
                    }
                });
        return true;
    }

    private static String key(String topic, String partition, String offset) {
        return topic + "/" + partition + "/" + offset;
    }
}
