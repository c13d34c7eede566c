package dev.fmnist.support.rest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.fmnist.contracts.StrictJson;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * How every service reads a JSON request body: an unknown field is refused with a 400 that names it
 * (a typo such as {@code "epochz"} must not silently start a default run), a fraction is no whole
 * number (2.5 is not version 2), and nothing may follow the body. Applied to the services' ObjectMapper
 * (so to every body Quarkus REST binds) and to the readers that bind a body themselves
 * ({@link #strictMapper}). It is a rule for requests: a client reading another service's answers (the
 * console) reads leniently, so that a newer service's added field is not an error.
 */
@Singleton
public class JsonBodies implements ObjectMapperCustomizer {
    @Override
    public void customize(ObjectMapper mapper) {
        mapper.enable(UNKNOWN_FIELDS, TRAILING_TOKENS).disable(FRACTION_AS_WHOLE);
    }

    private static final DeserializationFeature UNKNOWN_FIELDS = DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES;
    private static final DeserializationFeature TRAILING_TOKENS = DeserializationFeature.FAIL_ON_TRAILING_TOKENS;
    private static final DeserializationFeature FRACTION_AS_WHOLE = DeserializationFeature.ACCEPT_FLOAT_AS_INT;

    @ServerExceptionMapper
    public Response unknownField(UnrecognizedPropertyException e) {
        return ErrorResponses.of(400, reason(e));
    }

    /**
     * A mapper for a body bound outside Quarkus REST (read as a stream, or with limits of its own):
     * strict as above, within {@code limits}. An exception its deserializers throw reaches the caller
     * as the cause of a {@link JsonMappingException} that carries the path.
     */
    public static JsonMapper strictMapper(StreamReadConstraints limits) {
        JsonMapper mapper = JsonMapper.builder(JsonFactory.builder().streamReadConstraints(limits).build()).build();
        new JsonBodies().customize(mapper);
        return mapper;
    }

    /** {@code unknown field 'x' (allowed: a, b)}, with the path of a nested field ({@code 'inputs[0].x'}). */
    public static String reason(UnrecognizedPropertyException e) {
        return StrictJson.unknownField(e);
    }
}
