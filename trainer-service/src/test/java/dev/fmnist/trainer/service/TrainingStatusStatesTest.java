package dev.fmnist.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fmnist.api.TrainingStatus;
import org.junit.jupiter.api.Test;

/** The states ./fmnist waits for (service-api's names) are states the trainer reports. */
class TrainingStatusStatesTest {
    @Test
    void theStatesTheCliReadsAreTrainerStates() {
        for (String state : new String[] {TrainingStatus.COMPLETED, TrainingStatus.CONTINUOUS, TrainingStatus.FAILED}) {
            assertEquals(state, Trainer.State.valueOf(state).name());
        }
    }
}
