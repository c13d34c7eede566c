package dev.fmnist.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fmnist.contracts.model.ModelFamily;
import org.junit.jupiter.api.Test;

class RecipeTest {
    @Test
    void theSeedsRateIsConstant() {
        Recipe softmax = Recipe.of(ModelFamily.SOFTMAX);
        assertEquals(Recipe.Schedule.CONSTANT, softmax.schedule());
        assertEquals(0.1, softmax.learningRate());
        for (double progress : new double[] {0, 0.37, 1, 3}) {
            assertEquals(0.1, softmax.rate(0.1, progress));
        }
    }

    @Test
    void cosineDecayGoesFromTheBaseToZeroOverThePlan() {
        Recipe cnn = Recipe.of(ModelFamily.CNN);
        assertEquals(Recipe.Schedule.COSINE, cnn.schedule());
        assertEquals(0.05, cnn.rate(0.05, 0), 1e-15);
        assertEquals(0.025, cnn.rate(0.05, 0.5), 1e-15);
        assertEquals(0.05 * 0.5 * (1 + Math.cos(Math.PI * 0.9)), cnn.rate(0.05, 0.9), 1e-15);
        assertEquals(0, cnn.rate(0.05, 1), 1e-15);
        assertEquals(0, cnn.rate(0.05, 1.5), 1e-15, "past the plan: stays at the end");
        assertEquals(0.2, cnn.rate(0.2, -1), 1e-15, "a run's own rate is the base");
    }

    @Test
    void softmaxTrainsByItsOwnRecipeOnly() {
        assertThrows(IllegalArgumentException.class, () -> Models.initialize(Recipe.of(ModelFamily.SOFTMAX), 0));
    }
}
