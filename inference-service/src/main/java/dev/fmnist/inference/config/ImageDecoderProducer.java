package dev.fmnist.inference.config;

import dev.fmnist.contracts.image.DecodeBudget;
import dev.fmnist.contracts.image.ImageDecoder;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The one image decoder of the service, so REST and Kafka decodes share one decode budget. */
public class ImageDecoderProducer {
    /** Share of the max heap the decode budget gets when fmnist.inference.decode-budget-bytes is unset. */
    static final double DEFAULT_HEAP_FRACTION = 0.25;

    @Produces
    @Singleton
    ImageDecoder imageDecoder(InferenceConfig config) {
        DecodeBudget budget = config.decodeBudgetBytes().isPresent()
                ? new DecodeBudget(config.decodeBudgetBytes().getAsLong())
                : DecodeBudget.ofHeap(DEFAULT_HEAP_FRACTION);
        return new ImageDecoder(config.maxDecodedBytes(), budget, config.decodeWait());
    }
}
