package dev.fmnist.console.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.ext.ContextResolver;

/**
 * How the console's REST clients read the services' answers: the application's mapper without the
 * strictness meant for request bodies (service-support's {@code JsonBodies}), so that a field a newer
 * service adds during a rolling upgrade does not make it look unreachable.
 */
final class LenientJson implements ContextResolver<ObjectMapper> {
    private final ObjectMapper mapper;

    LenientJson(ObjectMapper application) {
        this.mapper = application.copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    @Override
    public ObjectMapper getContext(Class<?> type) {
        return mapper;
    }
}
