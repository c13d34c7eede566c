package dev.fmnist.console.live;

import dev.fmnist.console.config.ConsoleConfig;
import dev.fmnist.contracts.DeadLetters;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Dead letters by service, source topic and reason (its first 120 characters). Past
 * {@code max-dead-letter-reasons} distinct groups the rest count as "other", so a flood of
 * distinct reasons cannot grow the view without bound.
 */
@ApplicationScoped
public class DeadLetterView {
    private static final int REASON_CHARS = 120;

    /** One group: how many, from which service and source topic, with the reason text. */
    public record Group(String service, String sourceTopic, String reason, long count, long lastAt) {
    }

    private final ConsoleConfig config;
    private final EventHub hub;
    private final Map<String, Group> groups = new HashMap<>();
    private long total;

    public DeadLetterView(ConsoleConfig config, EventHub hub) {
        this.config = config;
        this.hub = hub;
        publish();
    }

    void accept(ConsumerRecord<byte[], byte[]> r) {
        add(DeadLetters.header(r.headers(), DeadLetters.SERVICE), DeadLetters.header(r.headers(), DeadLetters.SOURCE_TOPIC),
                DeadLetters.header(r.headers(), DeadLetters.REASON), r.timestamp());
    }

    public void add(String service, String sourceTopic, String reason, long at) {
        String s = service == null ? DeadLetters.UNKNOWN : service;
        String t = sourceTopic == null ? DeadLetters.UNKNOWN : sourceTopic;
        String why = reason == null ? DeadLetters.UNKNOWN : reason;
        if (why.length() > REASON_CHARS) {
            why = why.substring(0, REASON_CHARS) + "…";
        }
        synchronized (this) {
            total++;
            String key = s + "\u0000" + t + "\u0000" + why;
            if (!groups.containsKey(key) && groups.size() >= Math.max(1, config.maxDeadLetterReasons())) {
                why = "other";
                key = s + "\u0000" + t + "\u0000" + why;
            }
            Group g = groups.get(key);
            groups.put(key, new Group(s, t, why, g == null ? 1 : g.count() + 1, Math.max(at, g == null ? 0 : g.lastAt())));
        }
        publish();
    }

    private void publish() {
        List<Group> list;
        long n;
        synchronized (this) {
            list = new ArrayList<>(groups.values());
            n = total;
        }
        list.sort(Comparator.comparingLong(Group::count).reversed().thenComparing(Group::reason));
        hub.publish("deadLetters", Map.of("total", n, "groups", list));
    }
}
