package dev.fmnist.trainer.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fmnist.contracts.ImageBatch;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ReadinessRuleTest {
    static final TopicPartition TRAIN = new TopicPartition(Topics.TRAIN, 0);
    static final TopicPartition TEST = new TopicPartition(Topics.TEST, 0);

    static ImageBatch batch(String dataset, Split split, long sequence, int total, byte... labels) {
        return new ImageBatch(dataset, dataset + "-" + split + "-" + sequence, split, sequence, total, 28, 28, labels,
                new byte[labels.length * 784]);
    }

    static Map<TopicPartition, Long> ends(long train, long test) {
        return Map.of(TRAIN, train, TEST, test);
    }

    @Test
    void bothTopicsNeedALabelledImage() {
        ReadinessRule rule = new ReadinessRule();
        assertEquals("waiting for labelled images on " + Topics.TRAIN, rule.check(ends(0, 0)));
        rule.observe(Topics.TRAIN, batch("d", Split.TRAIN, 0, 0, (byte) ImageBatch.UNLABELLED));
        assertEquals("waiting for labelled images on " + Topics.TRAIN, rule.check(ends(1, 0)),
                "unlabelled images do not count");
        rule.observe(Topics.TRAIN, batch("d", Split.TRAIN, 1, 0, (byte) 3));
        assertEquals("waiting for labelled images on " + Topics.TEST, rule.check(ends(2, 0)));
        rule.observe(Topics.TEST, batch("d", Split.TEST, 0, 0, (byte) 1));
        assertEquals("waiting for the topics' end offsets to settle", rule.check(ends(2, 1)));
        assertEquals(ReadinessRule.READY, rule.check(ends(2, 1)));
    }

    @Test
    void announcedTotalsMustBeComplete() {
        ReadinessRule rule = new ReadinessRule();
        rule.observe(Topics.TRAIN, batch("d", Split.TRAIN, 0, 3, (byte) 1));
        rule.observe(Topics.TRAIN, batch("d", Split.TRAIN, 2, 3, (byte) 1));
        rule.observe(Topics.TEST, batch("d", Split.TEST, 0, 1, (byte) 1));
        rule.check(ends(2, 1));
        assertEquals("waiting for " + Topics.TRAIN + " d TRAIN: 2 of 3 batches", rule.check(ends(2, 1)),
                "stable offsets do not make an incomplete split ready");
        rule.observe(Topics.TRAIN, batch("d", Split.TRAIN, 2, 3, (byte) 1));
        assertEquals("waiting for " + Topics.TRAIN + " d TRAIN: 2 of 3 batches", rule.check(ends(3, 1)),
                "a duplicate sequence number does not fill the gap");
        rule.observe(Topics.TRAIN, batch("d", Split.TRAIN, 1, 3, (byte) 1));
        assertEquals("waiting for the topics' end offsets to settle", rule.check(ends(4, 1)));
        assertEquals(ReadinessRule.READY, rule.check(ends(4, 1)));
    }

    @Test
    void endOffsetsMustNotMoveBetweenTwoChecks() {
        ReadinessRule rule = new ReadinessRule();
        rule.observe(Topics.TRAIN, batch("d", Split.TRAIN, 0, 0, (byte) 1));
        rule.observe(Topics.TEST, batch("d", Split.TEST, 0, 0, (byte) 1));
        assertEquals("waiting for the topics' end offsets to settle", rule.check(ends(1, 1)));
        assertEquals(ReadinessRule.READY, rule.check(ends(1, 1)));
        assertEquals("waiting for the topics' end offsets to settle", rule.check(ends(2, 1)), "the train topic grew");
        assertEquals(ReadinessRule.READY, rule.check(ends(2, 1)));
    }
}
