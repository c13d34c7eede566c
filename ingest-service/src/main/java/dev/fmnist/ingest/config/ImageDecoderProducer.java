package dev.fmnist.ingest.config;

import dev.fmnist.contracts.image.ImageDecoder;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The one image decoder of the service, so every upload path shares one decode budget. */
public class ImageDecoderProducer {
    @Produces
    @Singleton
    ImageDecoder imageDecoder(IngestConfig config) {
        return ImageDecoder.of(config.upload());
    }
}
