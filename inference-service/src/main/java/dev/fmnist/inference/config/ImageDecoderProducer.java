package dev.fmnist.inference.config;

import dev.fmnist.contracts.image.ImageDecoder;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The one image decoder of the service, so REST and Kafka decodes share one decode budget. */
public class ImageDecoderProducer {
    @Produces
    @Singleton
    ImageDecoder imageDecoder(InferenceConfig config) {
        return ImageDecoder.of(config);
    }
}
