package dev.fmnist.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Topics.ALL is what the README's topic table says. */
class TopicsTest {
    @Test
    void listsEveryTopicOnceWithItsPartitionsAndConfigs() {
        Map<String, Topics.Spec> byName = Topics.ALL.stream().collect(Collectors.toMap(Topics.Spec::name, s -> s));
        assertEquals(List.of(Topics.TRAIN, Topics.TEST, Topics.UPLOADS, Topics.SNAPSHOTS, Topics.MODEL_CONTROL, Topics.REQUESTS, Topics.PREDICTIONS,
                Topics.DEAD_LETTER, Topics.ALERTS), Topics.ALL.stream().map(Topics.Spec::name).toList());
        assertEquals(9, byName.size());
        Map<String, String> forever = Map.of("retention.ms", "-1", "retention.bytes", "-1");
        assertEquals(new Topics.Spec("fmnist.train", 1, forever), byName.get(Topics.TRAIN));
        assertEquals(new Topics.Spec("fmnist.test", 1, forever), byName.get(Topics.TEST));
        assertEquals(new Topics.Spec("fmnist.snapshots", 1,
                Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "60000")), byName.get(Topics.SNAPSHOTS));
        assertEquals(new Topics.Spec("fmnist.uploads", 3, Map.of("retention.ms", "604800000",
                "max.message.bytes", "10551296")), byName.get(Topics.UPLOADS));
        assertEquals(new Topics.Spec("fmnist.model-control", 1, Map.of("cleanup.policy", "compact")),
                byName.get(Topics.MODEL_CONTROL));
        assertEquals(new Topics.Spec("fmnist.requests", 6, Map.of()), byName.get(Topics.REQUESTS));
        assertEquals(new Topics.Spec("fmnist.predictions", 6, Map.of()), byName.get(Topics.PREDICTIONS));
        assertEquals(new Topics.Spec("fmnist.dead-letter", 1, Map.of("retention.ms", "1209600000")),
                byName.get(Topics.DEAD_LETTER));
        assertEquals(new Topics.Spec("fmnist.alerts", 1, Map.of("retention.ms", "2592000000")), byName.get(Topics.ALERTS));
    }
}
