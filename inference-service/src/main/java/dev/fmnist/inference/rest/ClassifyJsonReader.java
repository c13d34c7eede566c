package dev.fmnist.inference.rest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.inference.service.ContentKind;
import dev.fmnist.inference.service.InvalidInputException;
import dev.fmnist.inference.service.Outcome;
import dev.fmnist.inference.service.PixelBatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the JSON body of {@code /api/v1/classify} token by token into a {@link ClassifyJson}, so no
 * tree is built: memory is the pixels themselves (784 bytes per image). Every array stops being
 * read as soon as it is longer than it may be (784 pixels, {@code max-batch-size} images and
 * labels), nesting is capped by Jackson's {@link StreamReadConstraints}, unknown fields are skipped
 * without being kept. Errors name the field and index.
 */
@ApplicationScoped
public class ClassifyJsonReader {
    /** Deepest nesting a valid body needs is 3 (object, images, image); room for unknown fields. */
    static final int MAX_NESTING_DEPTH = 16;
    private static final String USAGE = "send {\"pixels\": [...]} or {\"images\": [[...], ...]}";
    private final JsonFactory factory;
    private final int maxBatch;

    public ClassifyJsonReader(InferenceConfig config) {
        this.maxBatch = config.maxBatchSize();
        this.factory = JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING_DEPTH).maxNumberLength(32).maxStringLength(64 * 1024)
                .maxNameLength(1024).build()).build();
    }

    /**
     * @throws Invalid (400 or 413) naming what is wrong
     * @throws BodyLimit.TooLarge wrapped as 413 when {@code body} is a bounded stream that overflows
     */
    public ClassifyJson read(InputStream body) {
        ContentKind kind = ContentKind.JSON;
        try (JsonParser p = factory.createParser(body)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new Invalid(kind, Outcome.BAD_REQUEST, "empty body: " + USAGE);
            }
            if (t != JsonToken.START_OBJECT) {
                throw new Invalid(kind, Outcome.BAD_REQUEST, "expected a JSON object");
            }
            byte[] pixels = null;
            List<byte[]> images = null;
            Integer label = null;
            List<Integer> labels = null;
            boolean imagesGiven = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "pixels" -> pixels = pixels(p, "\"pixels\"", kind);
                    case "label" -> label = label(p, "\"label\"", kind);
                    case "images" -> {
                        imagesGiven = true;
                        kind = ContentKind.JSON_BATCH;
                        images = images(p);
                    }
                    case "labels" -> labels = labels(p);
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new Invalid(kind, Outcome.BAD_REQUEST, "malformed JSON: content after the object");
            }
            if ((pixels == null) == !imagesGiven) {
                throw new Invalid(kind, Outcome.BAD_REQUEST,
                        "give exactly one of \"pixels\" (784 ints 0-255) or \"images\" (an array of such arrays)");
            }
            if (pixels != null) {
                return new ClassifyJson.Single(pixels, label);
            }
            return new ClassifyJson.Batch(batch(images, labels));
        } catch (BodyLimit.TooLarge e) {
            throw new Invalid(kind, Outcome.TOO_LARGE, e.getMessage());
        } catch (JsonProcessingException e) {
            throw new Invalid(kind, Outcome.BAD_REQUEST, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new Invalid(kind, Outcome.BAD_REQUEST, "unreadable JSON body: " + e.getMessage());
        }
    }

    private PixelBatch batch(List<byte[]> images, List<Integer> labels) {
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

    private List<byte[]> images(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw notImages();
        }
        List<byte[]> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (out.size() == maxBatch) {
                throw new Invalid(ContentKind.JSON_BATCH, Outcome.TOO_LARGE, "batch of more than " + maxBatch
                        + " images exceeds the limit of " + maxBatch);
            }
            out.add(pixels(p, "\"images\"[" + out.size() + "]", ContentKind.JSON_BATCH));
        }
        if (out.isEmpty()) {
            throw notImages();
        }
        return out;
    }

    private static Invalid notImages() {
        return new Invalid(ContentKind.JSON_BATCH, Outcome.BAD_REQUEST,
                "\"images\" must be a non-empty array of 784-int arrays");
    }

    /** Null for {@code "labels": null}; otherwise one label (or null) per entry, read up to the batch limit. */
    private List<Integer> labels(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        String shape = "\"labels\" must be an array with one label per image";
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new Invalid(ContentKind.JSON_BATCH, Outcome.BAD_REQUEST, shape);
        }
        List<Integer> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (out.size() == maxBatch) {
                throw new Invalid(ContentKind.JSON_BATCH, Outcome.BAD_REQUEST, shape + " (at most " + maxBatch + ")");
            }
            out.add(label(p, "\"labels\"[" + out.size() + "]", ContentKind.JSON_BATCH));
        }
        return out;
    }

    /** Exactly 784 integers 0-255, stopping at the first value too many. */
    private static byte[] pixels(JsonParser p, String field, ContentKind kind) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
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

    private static Integer label(JsonParser p, String field, ContentKind kind) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
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

    /** The offending token for an error message; a structure is named, not echoed. */
    private static String text(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
            return t == JsonToken.START_ARRAY ? "an array" : "an object";
        }
        String s = p.getText();
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    /** A refused body, with the content kind it is counted under (json, or json-batch once "images" was seen). */
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
