package dev.fmnist.contracts;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.util.stream.Collectors;

/**
 * How a JSON record bound to a Java record is read strictly, and how a refusal names an unknown field (the form
 * every service's request bodies use too, {@code JsonBodies} in service-support): an unknown field is refused, a
 * fraction is no whole number, a number or boolean is no string (nor a string a number), nothing may follow the
 * value, a field may not be given twice, and a missing number is no 0.
 */
public final class StrictJson {
    private StrictJson() {
    }

    /** A mapper that binds records strictly as above, within {@code limits}. */
    public static JsonMapper mapper(StreamReadConstraints limits) {
        JsonMapper mapper = JsonMapper.builder(JsonFactory.builder().streamReadConstraints(limits)
                        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
                        DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }

    /** {@code unknown field 'x' (allowed: a, b)}, with the path of a nested field ({@code 'inputs[0].x'}). */
    public static String unknownField(UnrecognizedPropertyException e) {
        String path = e.getPath().stream().map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining()).substring(1);
        String allowed = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                .map(String::valueOf).sorted().collect(Collectors.joining(", ", " (allowed: ", ")"));
        return "unknown field '" + path + "'" + allowed;
    }
}
