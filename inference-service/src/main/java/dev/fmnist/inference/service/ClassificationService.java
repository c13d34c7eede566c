package dev.fmnist.inference.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.contracts.ClassificationCodec;
import dev.fmnist.contracts.ClassificationRequest;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.WireFormatException;
import dev.fmnist.contracts.image.DecodeBusyException;
import dev.fmnist.contracts.image.ImageDecoder;
import dev.fmnist.contracts.image.ImageFormatException;
import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.inference.domain.BatchScorer;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.domain.Scorer;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns request bodies into classifications: parses and checks the input, picks the live model
 * once per request, scores (plain Java for one image, DJL for a batch), records the metrics.
 */
@ApplicationScoped
public class ClassificationService {
    private final ModelService models;
    private final InferenceMetrics metrics;
    private final InferenceConfig config;
    private final ObjectMapper json;
    private final ImageDecoder decoder;

    public ClassificationService(ModelService models, InferenceMetrics metrics, InferenceConfig config,
                                 ObjectMapper json, ImageDecoder decoder) {
        this.models = models;
        this.metrics = metrics;
        this.config = config;
        this.json = json;
        this.decoder = decoder;
    }

    /** Exactly 784 raw bytes, row-major 28x28, light object on dark background. */
    public Classification classifyRaw(byte[] body, Integer label) {
        long start = System.nanoTime();
        try {
            if (body == null || body.length != FashionMnist.PIXELS) {
                throw InvalidInputException.badRequest("application/octet-stream body must be exactly "
                        + FashionMnist.PIXELS + " bytes (28x28 uint8), got " + (body == null ? 0 : body.length));
            }
            Classification c = scoreOne(models.require(), body, label);
            metrics.request(ContentKind.RAW, Outcome.OK, start);
            return c;
        } catch (RuntimeException e) {
            metrics.request(ContentKind.RAW, outcomeOf(e), start);
            throw e;
        }
    }

    /** A PNG or JPEG of any size. */
    public Classification classifyImage(byte[] body, ContentKind kind, boolean invert, Integer label) {
        long start = System.nanoTime();
        try {
            Classification c = scoreOne(models.require(), toPixels(body, invert), label);
            metrics.request(kind, Outcome.OK, start);
            return c;
        } catch (RuntimeException e) {
            metrics.request(kind, outcomeOf(e), start);
            throw e;
        }
    }

    /**
     * {@code {"pixels": [784 ints], "label": 3}} gives one classification; {@code {"images": [[784
     * ints], ...], "labels": [...]}} a list, all scored by one model version.
     */
    public Object classifyJson(byte[] body, Integer labelParam) {
        long start = System.nanoTime();
        ContentKind kind = ContentKind.JSON;
        try {
            JsonNode root = parse(body);
            JsonNode pixels = root.get("pixels");
            JsonNode images = root.get("images");
            if ((pixels == null) == (images == null)) {
                throw InvalidInputException.badRequest(
                        "give exactly one of \"pixels\" (784 ints 0-255) or \"images\" (an array of such arrays)");
            }
            if (pixels != null) {
                byte[] raw = toBytes(pixels, "\"pixels\"");
                Integer label = labelParam != null ? labelParam : label(root.get("label"), "\"label\"");
                Classification c = scoreOne(models.require(), raw, label);
                metrics.request(kind, Outcome.OK, start);
                return c;
            }
            kind = ContentKind.JSON_BATCH;
            List<Classification> out = classifyBatch(images, root.get("labels"));
            metrics.request(kind, Outcome.OK, start);
            return out;
        } catch (RuntimeException e) {
            metrics.request(kind, outcomeOf(e), start);
            throw e;
        }
    }

    /**
     * A request from the Kafka topic, scored by {@code model}.
     *
     * @throws InvalidInputException when its image cannot be decoded
     */
    public Classification classifyRequest(ClassificationRequest request, LoadedModel model) {
        long start = System.nanoTime();
        try {
            byte[] raw;
            if (request.pixels() != null) {
                raw = new byte[FashionMnist.PIXELS];
                for (int i = 0; i < raw.length; i++) {
                    raw[i] = (byte) request.pixels()[i];
                }
            } else {
                raw = toPixels(request.image(), request.invert());
            }
            Classification c = scoreOne(model, raw, request.label());
            metrics.request(ContentKind.KAFKA, Outcome.OK, start);
            return c;
        } catch (RuntimeException e) {
            metrics.request(ContentKind.KAFKA, outcomeOf(e), start);
            throw e;
        }
    }

    /** Counts a request refused by the HTTP layer before it got here. */
    public void countRefused(String contentType, Outcome outcome) {
        metrics.rejectedRequest(ContentKind.ofHeader(contentType), outcome);
    }

    /** Parses an optional true label given as 0-9 or a class name. */
    public static Integer parseLabel(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return FashionMnist.parseLabel(text);
        } catch (IllegalArgumentException e) {
            throw InvalidInputException.badRequest(e.getMessage());
        }
    }

    private List<Classification> classifyBatch(JsonNode images, JsonNode labelsNode) {
        if (!images.isArray() || images.isEmpty()) {
            throw InvalidInputException.badRequest("\"images\" must be a non-empty array of 784-int arrays");
        }
        int n = images.size();
        if (n > config.maxBatchSize()) {
            throw InvalidInputException.tooLarge("batch of " + n + " images exceeds the limit of "
                    + config.maxBatchSize());
        }
        Integer[] labels = new Integer[n];
        if (labelsNode != null && !labelsNode.isNull()) {
            if (!labelsNode.isArray() || labelsNode.size() != n) {
                throw InvalidInputException.badRequest("\"labels\" must be an array with one label per image ("
                        + n + ")");
            }
            for (int i = 0; i < n; i++) {
                labels[i] = label(labelsNode.get(i), "\"labels\"[" + i + "]");
            }
        }
        byte[] raw = new byte[n * FashionMnist.PIXELS];
        for (int i = 0; i < n; i++) {
            System.arraycopy(toBytes(images.get(i), "\"images\"[" + i + "]"), 0, raw, i * FashionMnist.PIXELS,
                    FashionMnist.PIXELS);
        }
        LoadedModel model = models.require();
        float[][] probs = BatchScorer.score(model, raw, n);
        metrics.batch(n);
        List<Classification> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(classification(model, probs[i], labels[i]));
        }
        return out;
    }

    private Classification scoreOne(LoadedModel model, byte[] raw, Integer label) {
        return classification(model, Scorer.score(model, raw), label);
    }

    private Classification classification(LoadedModel model, float[] probs, Integer label) {
        int best = Scorer.argmax(probs);
        if (label != null) {
            metrics.labelled(model.version(), best == label);
        }
        return new Classification(best, probs, model.version(), model.epoch());
    }

    private byte[] toPixels(byte[] image, boolean invert) {
        try {
            return decoder.toFashionMnist(image, invert);
        } catch (ImageFormatException e) {
            throw e.tooLarge() ? InvalidInputException.tooLarge(e.getMessage())
                    : InvalidInputException.badRequest(e.getMessage());
        }
    }

    private JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw InvalidInputException.badRequest("empty body: send {\"pixels\": [...]} or {\"images\": [[...], ...]}");
        }
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw InvalidInputException.badRequest("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw InvalidInputException.badRequest("unreadable JSON body: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw InvalidInputException.badRequest("expected a JSON object");
        }
        return root;
    }

    private static byte[] toBytes(JsonNode node, String field) {
        int[] pixels;
        try {
            pixels = ClassificationCodec.pixels(node, field);
        } catch (WireFormatException e) {
            throw InvalidInputException.badRequest(e.getMessage());
        }
        byte[] raw = new byte[pixels.length];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) pixels[i];
        }
        return raw;
    }

    private static Integer label(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isIntegralNumber() && node.canConvertToInt() && node.asInt() >= 0
                && node.asInt() < FashionMnist.CLASSES) {
            return node.asInt();
        }
        if (node.isTextual()) {
            return parseLabel(node.asText());
        }
        throw InvalidInputException.badRequest(field + " must be 0-9 or a class name, got " + node);
    }

    private static Outcome outcomeOf(RuntimeException e) {
        if (e instanceof InvalidInputException i) {
            return i.outcome();
        }
        if (e instanceof ModelUnavailableException) {
            return Outcome.UNAVAILABLE;
        }
        if (e instanceof DecodeBusyException) {
            return Outcome.BUSY;
        }
        return Outcome.ERROR;
    }
}
