package dev.fmnist.trainer.model;

import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.contracts.model.Network;

/** Makes the trainable model of a family: the seed's fast path for softmax, a DJL block network otherwise. */
public final class Models {
    private Models() {
    }

    /** A fresh model of {@code family}, initialised as its {@link Recipe} says with {@code seed}. */
    public static TrainableModel initialize(ModelFamily family, long seed) {
        if (family == ModelFamily.SOFTMAX) {
            // its own draw (the same numbers as the recipe's): the seed's figures depend on them
            return SoftmaxRegression.initialize(WeightSnapshot.INPUTS, WeightSnapshot.OUTPUTS, seed);
        }
        return new BlockModel(Recipe.of(family).initialNetwork(seed), Recipe.of(family));
    }

    /** A fresh block model trained with another recipe than its family's (for comparing recipes: FamilyBench). */
    public static TrainableModel initialize(Recipe recipe, long seed) {
        if (recipe.family() == ModelFamily.SOFTMAX) {
            throw new IllegalArgumentException("softmax regression trains by its own recipe only");
        }
        return new BlockModel(recipe.initialNetwork(seed), recipe);
    }

    /** A model holding {@code network}'s parameters (copied), trained with its family's recipe. */
    public static TrainableModel of(Network network) {
        if (network.family() == ModelFamily.SOFTMAX) {
            return SoftmaxRegression.of(WeightSnapshot.INPUTS, WeightSnapshot.OUTPUTS, network.tensor("W"),
                    network.tensor("b"));
        }
        return new BlockModel(network, Recipe.of(network.family()));
    }
}
