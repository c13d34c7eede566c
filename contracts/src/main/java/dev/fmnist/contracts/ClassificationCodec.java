package dev.fmnist.contracts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Base64;

/** The one codec of the JSON records on {@link Topics#REQUESTS} and {@link Topics#PREDICTIONS}. */
public final class ClassificationCodec {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ID_LENGTH = 256;

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
            throw new WireFormatException("request: not valid JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
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
            if (!v.isIntegralNumber() || v.asInt() < 0 || v.asInt() > 255) {
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
        try {
            JsonNode root = JSON.readTree(data);
            JsonNode probs = root.get("probabilities");
            if (probs == null || !probs.isArray() || probs.size() != FashionMnist.CLASSES) {
                throw new WireFormatException("prediction: \"probabilities\" must hold " + FashionMnist.CLASSES + " numbers");
            }
            float[] p = new float[probs.size()];
            for (int i = 0; i < p.length; i++) {
                p[i] = (float) probs.get(i).asDouble();
            }
            JsonNode id = root.get("id");
            return new Prediction(id == null ? null : id.asText(), root.path("classIndex").asInt(),
                    root.path("label").asText(), p, root.path("modelVersion").asLong(), root.path("epoch").asInt());
        } catch (IOException e) {
            throw new WireFormatException("prediction: not valid JSON: " + e.getMessage());
        }
    }

    private static byte[] write(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
