package dev.fmnist.inference.oip;

import java.util.List;

/** The names and shapes this model shows through the Open Inference Protocol. */
public final class OipModel {
    public static final String INPUT = "input";
    public static final String PROBABILITIES = "probabilities";
    public static final String CLASS = "class";
    public static final List<String> OUTPUT_NAMES = List.of(PROBABILITIES, CLASS);
    public static final String PLATFORM = "fmnist-softmax-regression";

    private OipModel() {
    }
}
