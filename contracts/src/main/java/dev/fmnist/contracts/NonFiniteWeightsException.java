package dev.fmnist.contracts;

/**
 * A snapshot record that is authentic (its signature verified, or unsigned records are accepted) and well
 * formed but holds a NaN or infinite weight: a diverged training run. Unlike other decoding errors it names
 * the model and version it is about, so a reader can record a refusal of that version (a forged record never
 * gets this far: the signature is checked first).
 */
public final class NonFiniteWeightsException extends WireFormatException {
    private final String modelName;
    private final long version;

    public NonFiniteWeightsException(String modelName, long version, String message) {
        super(message);
        this.modelName = modelName;
        this.version = version;
    }

    public String modelName() {
        return modelName;
    }

    public long version() {
        return version;
    }
}
