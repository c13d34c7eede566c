package dev.fmnist.trainer.messaging;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.junit.jupiter.api.Test;

/** Which failed commits the store reads as a takeover (the race itself runs in SnapshotSafetyIT). */
class SnapshotStoreTest {
    @Test
    void theClientsBareExceptionForAnErrorCodeWithoutARuleIsTheCoordinatorsUnexplainedError() {
        // the message as CI printed it
        assertTrue(SnapshotStore.isUnexplainedByCoordinator(new KafkaException(
                "Unhandled error in EndTxnResponse: The server experienced an unexpected error when processing the request.")));
    }

    @Test
    void theClientsOtherBareExceptionsAreNotReadAsATakeover() {
        for (String message : new String[] {
                "Could not find a coordinator with type TRANSACTION with key fmnist-trainer-m due to unexpected error: x",
                "Could not execute transactional request for unknown reasons",
                "The client hasn't received acknowledgment for some previously sent messages and can no longer retry them.",
                "Unhandled error in EndTxnResponse: The broker received an out of order sequence number."}) {
            assertFalse(SnapshotStore.isUnexplainedByCoordinator(new KafkaException(message)), message);
        }
    }

    @Test
    void typedFailuresAndWrappedCausesKeepTheirOwnHandling() {
        assertFalse(SnapshotStore.isUnexplainedByCoordinator(new TimeoutException("commit timed out")));
        assertFalse(SnapshotStore.isUnexplainedByCoordinator(new TransactionalIdAuthorizationException("denied")));
        assertFalse(SnapshotStore.isUnexplainedByCoordinator(new KafkaException(
                "Cannot execute transactional method because we are in an error state",
                new TopicAuthorizationException("denied"))));
    }
}
