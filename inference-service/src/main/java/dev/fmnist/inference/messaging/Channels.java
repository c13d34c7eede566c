package dev.fmnist.inference.messaging;

/** Reactive Messaging channel names (configured under mp.messaging.*); tests reuse them. */
public final class Channels {
    /** fmnist.requests, consumer group fmnist-inference (replicas share the partitions). */
    public static final String REQUESTS_IN = "requests-in";
    /** fmnist.predictions, keyed by request id. */
    public static final String PREDICTIONS_OUT = "predictions-out";

    private Channels() {
    }
}
