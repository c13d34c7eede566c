package dev.fmnist.contracts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Base64;

/** The one codec of the JSON records on {@link Topics#REQUESTS} and {@link Topics#PREDICTIONS}. */
public final class ClassificationCodec {
    // Trailing tokens ("{...} junk") make a record invalid rather than silently half-read.
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final int MAX_ID_LENGTH = 256;
    private static final java.util.Set<String> NON_FINITE = java.util.Set.of("NaN", "Infinity", "-Infinity");

    private ClassificationCodec() {
    }

    /** @throws WireFormatException naming what is wrong */
    public static ClassificationRequest decodeRequest(byte[] data) {
        if (data == null) {
            throw new WireFormatException("request: record has no value (null)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(data);
        } catch (IOException e) {
            throw new WireFormatException("request: not valid JSON: " + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new WireFormatException("request: expected a JSON object");
        }
        JsonNode idNode = root.get("id");
        if (idNode == null || !idNode.isTextual() || idNode.asText().isBlank()
                || idNode.asText().length() > MAX_ID_LENGTH) {
            throw new WireFormatException("request: \"id\" must be a non-empty string of at most "
                    + MAX_ID_LENGTH + " characters");
        }
        JsonNode pixelsNode = root.get("pixels");
        JsonNode imageNode = root.get("image");
        if ((pixelsNode == null) == (imageNode == null)) {
            throw new WireFormatException("request: give exactly one of \"pixels\" (784 ints 0-255) or \"image\" (base64 PNG/JPEG)");
        }
        int[] pixels = null;
        byte[] image = null;
        if (pixelsNode != null) {
            pixels = pixels(pixelsNode, "request: \"pixels\"");
        } else {
            if (!imageNode.isTextual()) {
                throw new WireFormatException("request: \"image\" must be a base64 string");
            }
            try {
                image = Base64.getDecoder().decode(imageNode.asText());
            } catch (IllegalArgumentException e) {
                throw new WireFormatException("request: \"image\" is not valid base64");
            }
            if (image.length == 0) {
                throw new WireFormatException("request: \"image\" is empty");
            }
        }
        Integer label = null;
        JsonNode labelNode = root.get("label");
        if (labelNode != null && !labelNode.isNull()) {
            if (!labelNode.canConvertToInt() || !labelNode.isIntegralNumber()
                    || labelNode.asInt() < 0 || labelNode.asInt() >= FashionMnist.CLASSES) {
                throw new WireFormatException("request: \"label\" must be an integer 0-9");
            }
            label = labelNode.asInt();
        }
        JsonNode invert = root.get("invert");
        if (invert != null && !invert.isNull() && !invert.isBoolean()) {
            throw new WireFormatException("request: \"invert\" must be true or false");
        }
        return new ClassificationRequest(idNode.asText(), pixels, image, invert != null && invert.asBoolean(), label);
    }

    /**
     * Reads a JSON array of exactly 784 integers 0-255.
     *
     * @throws WireFormatException naming the field and what is wrong
     */
    public static int[] pixels(JsonNode node, String field) {
        if (node == null || !node.isArray()) {
            throw new WireFormatException(field + " must be an array of " + FashionMnist.PIXELS + " integers 0-255");
        }
        if (node.size() != FashionMnist.PIXELS) {
            throw new WireFormatException(field + " has " + node.size() + " values, expected " + FashionMnist.PIXELS);
        }
        int[] out = new int[FashionMnist.PIXELS];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            // canConvertToInt: asInt() would wrap 4294967296 to 0.
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0 || v.asInt() > 255) {
                throw new WireFormatException(field + "[" + i + "] = " + v + " is not an integer 0-255");
            }
            out[i] = v.asInt();
        }
        return out;
    }

    public static byte[] encodeRequest(ClassificationRequest r) {
        ObjectNode root = JSON.createObjectNode().put("id", r.id());
        if (r.pixels() != null) {
            ArrayNode arr = root.putArray("pixels");
            for (int p : r.pixels()) {
                arr.add(p);
            }
        } else {
            root.put("image", Base64.getEncoder().encodeToString(r.image()));
            root.put("invert", r.invert());
        }
        if (r.label() != null) {
            root.put("label", r.label());
        }
        return write(root);
    }

    public static byte[] encodePrediction(Prediction p) {
        ObjectNode root = JSON.createObjectNode();
        if (p.id() != null) {
            root.put("id", p.id());
        }
        root.put("classIndex", p.classIndex()).put("label", p.label());
        ArrayNode probs = root.putArray("probabilities");
        for (float f : p.probabilities()) {
            probs.add(f);
        }
        root.put("modelVersion", p.modelVersion()).put("epoch", p.epoch());
        return write(root);
    }

    /** @throws WireFormatException naming what is wrong */
    public static Prediction decodePrediction(byte[] data) {
        if (data == null) {
            throw new WireFormatException("prediction: record has no value (null)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(data);
        } catch (IOException e) {
            throw new WireFormatException("prediction: not valid JSON: " + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new WireFormatException("prediction: expected a JSON object");
        }
        JsonNode probs = root.get("probabilities");
        if (probs == null || !probs.isArray() || probs.size() != FashionMnist.CLASSES) {
            throw new WireFormatException("prediction: \"probabilities\" must hold " + FashionMnist.CLASSES + " numbers");
        }
        float[] p = new float[probs.size()];
        for (int i = 0; i < p.length; i++) {
            JsonNode v = probs.get(i);
            // Jackson writes a non-finite float as the string "NaN" / "Infinity": read those back too.
            boolean nonFinite = v.isTextual() && NON_FINITE.contains(v.asText());
            if (!v.isNumber() && !nonFinite) {
                throw new WireFormatException("prediction: probabilities[" + i + "] = " + v + " is not a number");
            }
            p[i] = nonFinite ? Float.parseFloat(v.asText()) : (float) v.asDouble();
        }
        JsonNode classIndex = root.get("classIndex");
        if (classIndex == null || !classIndex.isIntegralNumber() || !classIndex.canConvertToInt()
                || classIndex.asInt() < 0 || classIndex.asInt() >= FashionMnist.CLASSES) {
            throw new WireFormatException("prediction: \"classIndex\" must be an integer 0-9");
        }
        JsonNode label = root.get("label");
        if (label == null || !label.isTextual()) {
            throw new WireFormatException("prediction: \"label\" must be a string");
        }
        JsonNode modelVersion = root.get("modelVersion");
        JsonNode epoch = root.get("epoch");
        if (modelVersion == null || !modelVersion.isIntegralNumber() || !modelVersion.canConvertToLong()
                || epoch == null || !epoch.isIntegralNumber() || !epoch.canConvertToInt()) {
            throw new WireFormatException("prediction: \"modelVersion\" and \"epoch\" must be integers");
        }
        JsonNode id = root.get("id");
        if (id != null && !id.isNull() && !id.isTextual()) {
            throw new WireFormatException("prediction: \"id\" must be a string when present");
        }
        return new Prediction(id == null || id.isNull() ? null : id.asText(), classIndex.asInt(), label.asText(), p,
                modelVersion.asLong(), epoch.asInt());
    }

    private static byte[] write(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
