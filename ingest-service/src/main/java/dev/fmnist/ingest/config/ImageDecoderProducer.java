package dev.fmnist.ingest.config;

import dev.fmnist.contracts.image.DecodeBudget;
import dev.fmnist.contracts.image.ImageDecoder;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The one image decoder of the service, so every upload path shares one decode budget. */
public class ImageDecoderProducer {
    /** Share of the max heap the decode budget gets when fmnist.ingest.upload.decode-budget-bytes is unset. */
    static final double DEFAULT_HEAP_FRACTION = 0.25;

    @Produces
    @Singleton
    ImageDecoder imageDecoder(IngestConfig config) {
        IngestConfig.Upload u = config.upload();
        DecodeBudget budget = u.decodeBudgetBytes().isPresent()
                ? new DecodeBudget(u.decodeBudgetBytes().getAsLong())
                : DecodeBudget.ofHeap(DEFAULT_HEAP_FRACTION);
        return new ImageDecoder(u.maxDecodedBytes(), budget, u.decodeWait());
    }
}
