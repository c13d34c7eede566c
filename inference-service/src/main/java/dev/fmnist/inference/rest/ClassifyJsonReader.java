package dev.fmnist.inference.rest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.inference.service.ContentKind;
import dev.fmnist.inference.service.InvalidInputException;
import dev.fmnist.inference.service.Outcome;
import dev.fmnist.inference.service.PixelBatch;
import dev.fmnist.support.rest.JsonBodies;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Binds the JSON body of {@code /api/v1/classify} to {@link Body} with Jackson: unknown fields are
 * refused, nesting is capped at what the body needs by {@link StreamReadConstraints}, and the arrays
 * are read by deserializers that keep pixels as bytes (784 per image) and stop at the first element
 * past their limit (784 pixels, {@code max-batch-size} images and labels), so memory is the pixels
 * themselves. Errors name the field and index.
 */
@ApplicationScoped
public class ClassifyJsonReader {
    /** A valid body nests 3 deep (object, images, image); unknown fields, which could nest more, are refused. */
    static final int MAX_NESTING_DEPTH = 3;
    private static final String MAX_BATCH = "maxBatch";
    private final ObjectReader reader;

    /** {@code {"pixels": [784 ints 0-255], "label": 3}} or {@code {"images": [[784 ints], ...], "labels": [...]}}. */
    record Body(@JsonDeserialize(using = PixelsReader.class) byte[] pixels,
                @JsonDeserialize(using = LabelReader.class) Integer label,
                @JsonDeserialize(using = ImagesReader.class) List<byte[]> images,
                @JsonDeserialize(using = LabelsReader.class) List<Integer> labels) {
    }

    public ClassifyJsonReader(InferenceConfig config) {
        this.reader = JsonBodies.strictMapper(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxNumberLength(32).maxStringLength(64 * 1024).maxNameLength(1024).build())
                .readerFor(Body.class).withAttribute(MAX_BATCH, config.maxBatchSize());
    }

    /**
     * @throws Invalid (400 or 413) naming what is wrong
     * @throws BodyLimit.TooLarge wrapped as 413 when {@code body} is a bounded stream that overflows
     */
    public ClassifyJson read(InputStream body) {
        Body b;
        try (JsonParser p = reader.createParser(body)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw new Invalid(ContentKind.JSON, Outcome.BAD_REQUEST, first == null
                        ? "empty body: send {\"pixels\": [...]} or {\"images\": [[...], ...]}" : "expected a JSON object");
            }
            b = reader.readValue(p);
        } catch (BodyLimit.TooLarge e) {
            throw new Invalid(ContentKind.JSON, Outcome.TOO_LARGE, e.getMessage());
        } catch (UnrecognizedPropertyException e) {
            throw new Invalid(ContentKind.JSON, Outcome.BAD_REQUEST, JsonBodies.reason(e));
        } catch (JsonProcessingException e) {
            if (e.getCause() instanceof Invalid refused) {
                throw refused;
            }
            throw new Invalid(ContentKind.JSON, Outcome.BAD_REQUEST, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new Invalid(ContentKind.JSON, Outcome.BAD_REQUEST, "unreadable JSON body: " + e.getMessage());
        }
        ContentKind kind = b.images() != null ? ContentKind.JSON_BATCH : ContentKind.JSON;
        if ((b.pixels() == null) == (b.images() == null)) {
            throw new Invalid(kind, Outcome.BAD_REQUEST,
                    "give exactly one of \"pixels\" (784 ints 0-255) or \"images\" (an array of such arrays)");
        }
        if (b.pixels() != null) {
            return new ClassifyJson.Single(b.pixels(), b.label());
        }
        return new ClassifyJson.Batch(batch(b.images(), b.labels()));
    }

    private static PixelBatch batch(List<byte[]> images, List<Integer> labels) {
        int n = images.size();
        Integer[] perImage = new Integer[n];
        if (labels != null) {
            if (labels.size() != n) {
                throw new Invalid(ContentKind.JSON_BATCH, Outcome.BAD_REQUEST,
                        "\"labels\" must be an array with one label per image (" + n + ")");
            }
            labels.toArray(perImage);
        }
        byte[] raw = new byte[n * FashionMnist.PIXELS];
        for (int i = 0; i < n; i++) {
            System.arraycopy(images.get(i), 0, raw, i * FashionMnist.PIXELS, FashionMnist.PIXELS);
        }
        return new PixelBatch(raw, n, perImage);
    }

    /** Exactly 784 integers 0-255, stopping at the first value too many; named by where it stands. */
    static final class PixelsReader extends JsonDeserializer<byte[]> {
        @Override
        public byte[] deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonStreamContext parent = p.getParsingContext().getParent();
            boolean inBatch = parent != null && parent.inArray();
            String field = inBatch ? "\"images\"[" + parent.getCurrentIndex() + "]" : "\"pixels\"";
            ContentKind kind = inBatch ? ContentKind.JSON_BATCH : ContentKind.JSON;
            if (!p.isExpectedStartArrayToken()) {
                throw new Invalid(kind, Outcome.BAD_REQUEST, field + " must be an array of " + FashionMnist.PIXELS
                        + " integers 0-255");
            }
            byte[] out = new byte[FashionMnist.PIXELS];
            int i = 0;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken(), i++) {
                if (i == FashionMnist.PIXELS) {
                    throw new Invalid(kind, Outcome.BAD_REQUEST, field + " has more than " + FashionMnist.PIXELS
                            + " values, expected " + FashionMnist.PIXELS);
                }
                // INT only: a long or big integer would be wrapped by getIntValue, a float truncated.
                boolean ok = t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT
                        && p.getIntValue() >= 0 && p.getIntValue() <= 255;
                if (!ok) {
                    throw new Invalid(kind, Outcome.BAD_REQUEST, field + "[" + i + "] = " + text(p)
                            + " is not an integer 0-255");
                }
                out[i] = (byte) p.getIntValue();
            }
            if (i != FashionMnist.PIXELS) {
                throw new Invalid(kind, Outcome.BAD_REQUEST, field + " has " + i + " values, expected " + FashionMnist.PIXELS);
            }
            return out;
        }
    }

    /** A non-empty array of pixel arrays, refused (413) at the first image past {@code max-batch-size}. */
    static final class ImagesReader extends JsonDeserializer<List<byte[]>> {
        private static final PixelsReader PIXELS = new PixelsReader();

        @Override
        public List<byte[]> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            int max = (Integer) ctxt.getAttribute(MAX_BATCH);
            List<byte[]> out = new ArrayList<>();
            if (p.isExpectedStartArrayToken()) {
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    if (out.size() == max) {
                        throw new Invalid(ContentKind.JSON_BATCH, Outcome.TOO_LARGE, "batch of more than " + max
                                + " images exceeds the limit of " + max);
                    }
                    out.add(PIXELS.deserialize(p, ctxt));
                }
            }
            if (out.isEmpty()) {
                throw new Invalid(ContentKind.JSON_BATCH, Outcome.BAD_REQUEST,
                        "\"images\" must be a non-empty array of 784-int arrays");
            }
            return out;
        }
    }

    /** One label (or null) per entry, read up to the batch limit. */
    static final class LabelsReader extends JsonDeserializer<List<Integer>> {
        private static final LabelReader LABEL = new LabelReader();

        @Override
        public List<Integer> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            int max = (Integer) ctxt.getAttribute(MAX_BATCH);
            String shape = "\"labels\" must be an array with one label per image";
            if (!p.isExpectedStartArrayToken()) {
                throw new Invalid(ContentKind.JSON_BATCH, Outcome.BAD_REQUEST, shape);
            }
            List<Integer> out = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (out.size() == max) {
                    throw new Invalid(ContentKind.JSON_BATCH, Outcome.BAD_REQUEST, shape + " (at most " + max + ")");
                }
                out.add(p.currentToken() == JsonToken.VALUE_NULL ? null : LABEL.deserialize(p, ctxt));
            }
            return out;
        }
    }

    /** 0-9 or a class name ({@code null} is Jackson's own: no label). */
    static final class LabelReader extends JsonDeserializer<Integer> {
        @Override
        public Integer deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonStreamContext here = p.getParsingContext();
            boolean inBatch = here.inArray();
            String field = inBatch ? "\"labels\"[" + here.getCurrentIndex() + "]" : "\"label\"";
            ContentKind kind = inBatch ? ContentKind.JSON_BATCH : ContentKind.JSON;
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT
                    && p.getIntValue() >= 0 && p.getIntValue() < FashionMnist.CLASSES) {
                return p.getIntValue();
            }
            if (t == JsonToken.VALUE_STRING) {
                try {
                    return Labels.parse(p.getText());
                } catch (InvalidInputException e) {
                    throw new Invalid(kind, Outcome.BAD_REQUEST, e.getMessage());
                }
            }
            throw new Invalid(kind, Outcome.BAD_REQUEST, field + " must be 0-9 or a class name, got " + text(p));
        }
    }

    /** The offending token for an error message; a structure is named, not echoed. */
    private static String text(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
            return t == JsonToken.START_ARRAY ? "an array" : "an object";
        }
        String s = p.getText();
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    /** A refused body, with the content kind it is counted under (json, or json-batch for a batch's fields). */
    public static final class Invalid extends InvalidInputException {
        private final ContentKind kind;

        Invalid(ContentKind kind, Outcome outcome, String message) {
            super(outcome, message);
            this.kind = kind;
        }

        public ContentKind kind() {
            return kind;
        }
    }
}
