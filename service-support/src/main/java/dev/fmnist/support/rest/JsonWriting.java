package dev.fmnist.support.rest;

import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * How every service writes JSON: floats and doubles with Jackson's Schubfach writer instead of the
 * JDK's {@code Float.toString} (the shortest digits that read back as the same float, where JDK 17's
 * conversion sometimes writes a digit more; several times cheaper). A
 * classification answers ten probabilities, and at saturation the JDK's conversion was about 4 % of the
 * inference service's CPU (JFR, raw classify with wrk).
 */
@Singleton
public class JsonWriting implements ObjectMapperCustomizer {
    @Override
    public void customize(ObjectMapper mapper) {
        mapper.getFactory().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER.mappedFeature());
    }
}
