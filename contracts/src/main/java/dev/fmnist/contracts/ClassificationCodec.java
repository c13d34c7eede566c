package dev.fmnist.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.fmnist.contracts.model.ModelFamily;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The one codec of the JSON records on {@link Topics#REQUESTS} and {@link Topics#PREDICTIONS}. */
public final class ClassificationCodec {
    private static final int MAX_ID_LENGTH = 256;
    private static final Set<String> NON_FINITE = Set.of("NaN", "Infinity", "-Infinity");
    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    // Both formats are an object of scalars and flat arrays; strings fit the base64 of an
                    // image as large as inference's 10 MiB REST body limit.
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(2).maxNumberLength(64).maxStringLength(16 << 20).build())
                    .build())
            // Trailing tokens ("{...} junk") make a record invalid rather than silently half-read. Unknown
            // fields are ignored: a record on a log outlives its writer's version, so a newer writer's
            // optional field must not turn an older reader's whole stream into dead letters.
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .withCoercionConfig(LogicalType.Textual, text -> text.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    /** A wire format: its wire record, and per field the rule a missing or wrongly typed value breaks. */
    private record Format<T>(String name, Class<T> wire, Map<String, String> rules) {
        WireFormatException refused(String why) {
            return new WireFormatException(name + ": " + why);
        }

        void check(boolean ok, String field) {
            if (!ok) {
                throw refused(rules.get(field));
            }
        }
    }

    // Jackson reads these; the arrays stay untyped so a refusal can quote the value it refused.
    record RequestJson(String id, Object[] pixels, String image, Boolean invert, Integer label, String model) {
    }

    record PredictionJson(String id, Integer classIndex, String label, Object[] probabilities, Long modelVersion,
                          Integer epoch, String model) {
    }

    /** Longest {@code model} value quoted back in a refusal (a name is a dozen characters). */
    private static final int MAX_QUOTED_MODEL = 64;
    private static final String MODEL_RULE = "\"model\" must name a model family ("
            + Arrays.stream(ModelFamily.values()).map(ModelFamily::id).collect(Collectors.joining(", "))
            + ") or its model name (" + ModelFamily.MODEL_NAME_PREFIX + "<family>)";

    private static final Format<RequestJson> REQUEST = new Format<>("request", RequestJson.class, Map.of(
            "id", "\"id\" must be a non-empty string of at most " + MAX_ID_LENGTH + " characters",
            "pixels", "\"pixels\" must be an array of " + FashionMnist.PIXELS + " integers 0-255",
            "image", "\"image\" must be a base64 string",
            "invert", "\"invert\" must be true or false",
            "label", "\"label\" must be an integer 0-9",
            "model", MODEL_RULE));
    private static final Format<PredictionJson> PREDICTION = new Format<>("prediction", PredictionJson.class, Map.of(
            "id", "\"id\" must be a string when present",
            "classIndex", "\"classIndex\" must be an integer 0-9",
            "label", "\"label\" must be a string",
            "probabilities", "\"probabilities\" must hold " + FashionMnist.CLASSES + " numbers",
            "modelVersion", "\"modelVersion\" and \"epoch\" must be integers",
            "epoch", "\"modelVersion\" and \"epoch\" must be integers",
            "model", "\"model\" must be a string when present"));

    private ClassificationCodec() {
    }

    /** @throws WireFormatException naming what is wrong */
    public static ClassificationRequest decodeRequest(byte[] data) {
        RequestJson r = read(data, REQUEST);
        REQUEST.check(r.id() != null && !r.id().isBlank() && r.id().length() <= MAX_ID_LENGTH, "id");
        if ((r.pixels() == null) == (r.image() == null)) {
            throw REQUEST.refused("give exactly one of \"pixels\" (784 ints 0-255) or \"image\" (base64 PNG/JPEG)");
        }
        REQUEST.check(r.label() == null || (r.label() >= 0 && r.label() < FashionMnist.CLASSES), "label");
        return new ClassificationRequest(r.id(), r.pixels() == null ? null : pixels(r.pixels()),
                r.image() == null ? null : image(r.image()), Boolean.TRUE.equals(r.invert()), r.label(),
                r.model() == null ? null : modelName(r.model()));
    }

    /** A family id or model name, any case, as the model name ({@code CNN} -> {@code fmnist-cnn}). */
    private static String modelName(String model) {
        try {
            return ModelFamily.parse(model).modelName();
        } catch (IllegalArgumentException e) {
            String shown = model.length() <= MAX_QUOTED_MODEL ? "'" + model + "'"
                    : "of " + model.length() + " characters";
            throw REQUEST.refused("\"model\" " + shown + " is unknown: " + MODEL_RULE);
        }
    }

    private static int[] pixels(Object[] values) {
        if (values.length != FashionMnist.PIXELS) {
            throw REQUEST.refused("\"pixels\" has " + values.length + " values, expected " + FashionMnist.PIXELS);
        }
        int[] out = new int[values.length];
        for (int i = 0; i < out.length; i++) {
            if (!(values[i] instanceof Integer v) || v < 0 || v > 255) {
                throw REQUEST.refused("\"pixels\"[" + i + "] = " + text(values[i]) + " is not an integer 0-255");
            }
            out[i] = v;
        }
        return out;
    }

    private static byte[] image(String base64) {
        byte[] image;
        try {
            image = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw REQUEST.refused("\"image\" is not valid base64");
        }
        if (image.length == 0) {
            throw REQUEST.refused("\"image\" is empty");
        }
        return image;
    }

    /** @throws WireFormatException naming what is wrong */
    public static Prediction decodePrediction(byte[] data) {
        PredictionJson p = read(data, PREDICTION);
        PREDICTION.check(p.probabilities() != null && p.probabilities().length == FashionMnist.CLASSES, "probabilities");
        float[] probabilities = new float[FashionMnist.CLASSES];
        for (int i = 0; i < probabilities.length; i++) {
            Object v = p.probabilities()[i];
            if (v instanceof Number n) {
                probabilities[i] = n.floatValue();
            } else if (v instanceof String s && NON_FINITE.contains(s)) {
                // Jackson writes a non-finite float as the string "NaN" / "Infinity": read those back too.
                probabilities[i] = Float.parseFloat(s);
            } else {
                throw PREDICTION.refused("probabilities[" + i + "] = " + text(v) + " is not a number");
            }
        }
        PREDICTION.check(p.classIndex() != null && p.classIndex() >= 0 && p.classIndex() < FashionMnist.CLASSES,
                "classIndex");
        PREDICTION.check(p.label() != null, "label");
        PREDICTION.check(p.modelVersion() != null && p.epoch() != null, "epoch");
        return new Prediction(p.id(), p.classIndex(), p.label(), probabilities, p.modelVersion(), p.epoch(),
                p.model());
    }

    /** Pixels, or a base64 image with {@code invert}; {@code label} and {@code model} when given. */
    public static byte[] encodeRequest(ClassificationRequest r) {
        return write(r);
    }

    /** {@code id} only when the prediction answers a request. */
    public static byte[] encodePrediction(Prediction p) {
        return write(p);
    }

    private static <T> T read(byte[] data, Format<T> format) {
        if (data == null) {
            throw format.refused("record has no value (null)");
        }
        try (JsonParser parser = JSON.createParser(data)) {
            // Looked at first, so that "null", "42" or "[...]" are not reported as a field's problem.
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw format.refused("expected a JSON object");
            }
            return JSON.readValue(parser, format.wire());
        } catch (JsonMappingException e) {
            // A value of the wrong type breaks its field's rule; broken JSON inside a field and trailing
            // content do not.
            JsonProcessingException broken = e.getCause() instanceof JsonParseException
                    || e.getCause() instanceof StreamConstraintsException ? (JsonProcessingException) e.getCause() : null;
            String rule = broken != null || e.getPath().isEmpty() ? null
                    : format.rules().get(e.getPath().get(0).getFieldName());
            throw format.refused(rule != null ? rule
                    : "not valid JSON: " + (broken != null ? broken : e).getOriginalMessage());
        } catch (IOException e) {
            throw format.refused("not valid JSON: "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
    }

    private static String text(Object value) {
        return new String(write(value), StandardCharsets.UTF_8);
    }

    private static byte[] write(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
