package dev.fmnist.trainer.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fmnist.trainer.model.SampleStore;
import dev.fmnist.trainer.model.SoftmaxRegression;
import dev.fmnist.trainer.model.StepResult;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The stepper against a twin model stepped by hand on the same minibatches. */
class MinibatchStepperTest {
    static final int D = 6;
    static final int K = 3;

    static SampleStore samples(int count, long seed) {
        Random random = new Random(seed);
        SampleStore store = new SampleStore(D, 4);
        byte[] image = new byte[D];
        for (int i = 0; i < count; i++) {
            random.nextBytes(image);
            store.add(image, 0, random.nextInt(K));
        }
        return store;
    }

    /** Steps the twin on samples order[from..from+n) the way the stepper should. */
    static StepResult stepByHand(SoftmaxRegression twin, SampleStore store, int[] order, int from,
                                                   int n) {
        ByteBuffer x = SoftmaxRegression.directBuffer(n * D);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            store.copyPixels(order[from + i], x);
            y[i] = store.label(order[from + i]);
        }
        return twin.stepPixels(x.flip(), y, n, 0.5f);
    }

    @Test
    void stepsInVisitingOrderAndAccumulatesLossHitsAndSteps() {
        SampleStore store = samples(10, 1);
        int[] order = {9, 2, 4, 0, 7, 1, 8, 3, 6, 5};
        List<long[]> reported = new ArrayList<>();
        try (SoftmaxRegression model = SoftmaxRegression.initialize(D, K, 3);
             SoftmaxRegression twin = SoftmaxRegression.initialize(D, K, 3);
             MinibatchStepper stepper = new MinibatchStepper(model, 4, 0.5, 100, new Trainer.Listener() {
                 @Override
                 public void step(long step, int samples, long nanos) {
                     reported.add(new long[] {step, samples});
                 }
             })) {
            MinibatchStepper.Totals totals = new MinibatchStepper.Totals();
            List<Integer> taken = new ArrayList<>();
            for (int start = 0; start < order.length; ) {
                int n = stepper.step(store, order, start, totals);
                taken.add(n);
                start += n;
            }
            assertEquals(List.of(4, 4, 2), taken, "minibatches of the batch size, the last one short");
            double lossSum = 0;
            long correct = 0;
            int from = 0;
            for (int n : taken) {
                StepResult r = stepByHand(twin, store, order, from, n);
                lossSum += r.lossSum();
                correct += r.correct();
                from += n;
            }
            assertArrayEquals(twin.weights(), model.weights(), "same updates in the same order");
            assertEquals(103, stepper.steps(), "counts on from the resumed step");
            assertEquals(10, totals.samples());
            assertEquals(lossSum / 10, totals.meanLoss(), 1e-6);
            assertEquals(correct / 10.0, totals.accuracy(), 1e-12);
            assertEquals(List.of(101L, 102L, 103L), reported.stream().map(r -> r[0]).toList());
            assertEquals(List.of(4L, 4L, 2L), reported.stream().map(r -> r[1]).toList());

            totals.clear();
            assertEquals(0, totals.samples());
            assertEquals(Double.NaN, totals.meanLoss());
        }
    }

    @Test
    void withoutAnOrderItTakesTheStoreAsItIs() {
        SampleStore store = samples(5, 2);
        int[] identity = {0, 1, 2, 3, 4};
        try (SoftmaxRegression model = SoftmaxRegression.initialize(D, K, 4);
             SoftmaxRegression twin = SoftmaxRegression.initialize(D, K, 4);
             MinibatchStepper stepper = new MinibatchStepper(model, 256, 0.5, 0, new Trainer.Listener() {
             })) {
            MinibatchStepper.Totals totals = new MinibatchStepper.Totals();
            assertEquals(5, stepper.step(store, null, 0, totals));
            StepResult r = stepByHand(twin, store, identity, 0, 5);
            assertArrayEquals(twin.weights(), model.weights());
            assertEquals(r.lossSum() / 5, totals.meanLoss(), 1e-6);
            assertEquals(1, stepper.steps());
        }
    }

    @Test
    void aStepOtherThanThePreparedOneFillsItsOwnMinibatch() {
        SampleStore store = samples(12, 5);
        int[] first = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        int[] other = {11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
        try (SoftmaxRegression model = SoftmaxRegression.initialize(D, K, 6);
             SoftmaxRegression twin = SoftmaxRegression.initialize(D, K, 6);
             MinibatchStepper stepper = new MinibatchStepper(model, 4, 0.5, 0, new Trainer.Listener() {
             })) {
            MinibatchStepper.Totals totals = new MinibatchStepper.Totals();
            stepper.step(store, first, 0, totals); // prepares first[4..8) meanwhile
            stepper.step(store, other, 4, totals); // but other[4..8) is asked for
            stepper.step(store, other, 8, totals);
            stepByHand(twin, store, first, 0, 4);
            stepByHand(twin, store, other, 4, 4);
            stepByHand(twin, store, other, 8, 4);
            assertArrayEquals(twin.weights(), model.weights());
        }
    }

    @Test
    void aStepWhoseLossIsNotFiniteEndsTheRunWithTheReason() {
        SampleStore store = samples(64, 2);
        try (SoftmaxRegression model = SoftmaxRegression.initialize(D, K, 3);
             MinibatchStepper stepper = new MinibatchStepper(model, 8, Float.MAX_VALUE, 0, new Trainer.Listener() {
             })) {
            MinibatchStepper.Totals totals = new MinibatchStepper.Totals();
            TrainingDivergedException e = org.junit.jupiter.api.Assertions.assertThrows(TrainingDivergedException.class,
                    () -> {
                        for (int i = 0; i < 100; i++) {
                            stepper.step(store, null, (i * 8) % 64, totals);
                        }
                    });
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("training diverged at step "),
                    e.getMessage());
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("smaller learningRate"), e.getMessage());
        }
    }
}
