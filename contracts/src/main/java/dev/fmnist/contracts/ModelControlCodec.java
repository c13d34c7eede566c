package dev.fmnist.contracts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;

/**
 * The one codec of {@link ModelControl}: JSON
 * {@code {"model": "fmnist-softmax", "pinnedVersion": 3, "action": "pin", "updatedAt": 1767225600123,
 * "signature": "base64"}}. The signature is the Ed25519 signature ({@link SnapshotSigning}, inference's own
 * model-control key pair, not the snapshots') of {@code model \n pinnedVersion \n action \n updatedAt}; a
 * reader with keys rejects a record without a valid one, so only a holder of the model-control private key
 * can steer what is served, and it can only choose among snapshots the trainer signed.
 *
 * <p>Verdicts ({@link ModelVerdict}, keyed {@code <model>/v<version>}) share the topic and the key pair:
 * {@code {"model": "fmnist-cnn", "version": 12, "action": "refuse", "reason": "...", "updatedAt": ...,
 * "signature": "base64"}}, signed over {@code verdict \n model \n version \n action \n updatedAt \n reason}
 * (the leading word keeps a verdict's signed text apart from a pin's). A reader that predates verdicts skips
 * them (their key is not a model name).
 */
public final class ModelControlCodec {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final String FORMAT = "model control";
    /** Far more than a valid record needs; anything longer is refused before parsing. */
    public static final int MAX_RECORD_BYTES = 4096;

    private ModelControlCodec() {
    }

    public static byte[] encode(ModelControl c, SnapshotSigning signing) {
        ObjectNode o = JSON.createObjectNode();
        o.put("model", c.modelName());
        o.put("pinnedVersion", c.pinnedVersion());
        o.put("action", c.action().name().toLowerCase(Locale.ROOT));
        o.put("updatedAt", c.updatedAt().toEpochMilli());
        if (signing != null) {
            byte[] signed = signedText(c);
            o.put("signature", Base64.getEncoder().encodeToString(signing.sign(signed, signed.length)));
        }
        try {
            return JSON.writeValueAsBytes(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param signing accepted keys, or null to accept unsigned records
     * @throws WireFormatException naming what is wrong
     */
    public static ModelControl decode(byte[] data, SnapshotSigning signing) {
        JsonNode root = object(data);
        JsonNode model = root.get("model");
        JsonNode pinned = root.get("pinnedVersion");
        JsonNode action = root.get("action");
        JsonNode at = root.get("updatedAt");
        if (model == null || !model.isTextual() || pinned == null || !pinned.canConvertToExactIntegral()
                || !pinned.canConvertToLong() || action == null || !action.isTextual() || at == null
                || !at.canConvertToLong() || !at.isIntegralNumber()) {
            throw new WireFormatException(FORMAT + ": needs \"model\" (string), \"pinnedVersion\" (integer), "
                    + "\"action\" (pin/unpin/rollback) and \"updatedAt\" (epoch milliseconds)");
        }
        ModelControl c;
        try {
            c = new ModelControl(model.asText(), pinned.asLong(),
                    ModelControl.Action.valueOf(action.asText().toUpperCase(Locale.ROOT)), Instant.ofEpochMilli(at.asLong()));
        } catch (IllegalArgumentException e) {
            throw new WireFormatException(FORMAT + ": " + e.getMessage());
        }
        verify(root, signedText(c), signing);
        return c;
    }

    public static byte[] encodeVerdict(ModelVerdict v, SnapshotSigning signing) {
        ObjectNode o = JSON.createObjectNode();
        o.put("model", v.modelName());
        o.put("version", v.version());
        o.put("action", v.verdict().wire());
        o.put("reason", v.reason());
        o.put("updatedAt", v.decidedAt().toEpochMilli());
        if (signing != null) {
            byte[] signed = signedText(v);
            o.put("signature", Base64.getEncoder().encodeToString(signing.sign(signed, signed.length)));
        }
        try {
            return JSON.writeValueAsBytes(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param signing accepted keys, or null to accept unsigned records
     * @throws WireFormatException naming what is wrong
     */
    public static ModelVerdict decodeVerdict(byte[] data, SnapshotSigning signing) {
        JsonNode root = object(data);
        JsonNode model = root.get("model");
        JsonNode version = root.get("version");
        JsonNode action = root.get("action");
        JsonNode reason = root.get("reason");
        JsonNode at = root.get("updatedAt");
        if (model == null || !model.isTextual() || version == null || !version.isIntegralNumber()
                || !version.canConvertToLong() || action == null || !action.isTextual() || reason == null
                || !reason.isTextual() || at == null || !at.isIntegralNumber() || !at.canConvertToLong()) {
            throw new WireFormatException(FORMAT + ": a verdict needs \"model\" (string), \"version\" (integer), "
                    + "\"action\" (promote/refuse/roll-back), \"reason\" (string) and \"updatedAt\" (epoch milliseconds)");
        }
        ModelVerdict v;
        try {
            v = new ModelVerdict(model.asText(), version.asLong(), ModelVerdict.Verdict.ofWire(action.asText()),
                    reason.asText(), Instant.ofEpochMilli(at.asLong()));
        } catch (IllegalArgumentException e) {
            throw new WireFormatException(FORMAT + ": " + e.getMessage());
        }
        if (!v.reason().equals(reason.asText())) {
            throw new WireFormatException(FORMAT + ": reason longer than " + ModelVerdict.MAX_REASON + " characters");
        }
        verify(root, signedText(v), signing);
        return v;
    }

    private static JsonNode object(byte[] data) {
        if (data == null) {
            throw new WireFormatException(FORMAT + ": record has no value (null)");
        }
        if (data.length > MAX_RECORD_BYTES) {
            throw new WireFormatException(FORMAT + ": record of " + data.length + " bytes exceeds " + MAX_RECORD_BYTES);
        }
        JsonNode root;
        try {
            root = JSON.readTree(data);
        } catch (IOException e) {
            throw new WireFormatException(FORMAT + ": not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new WireFormatException(FORMAT + ": expected a JSON object");
        }
        return root;
    }

    private static void verify(JsonNode root, byte[] signed, SnapshotSigning signing) {
        if (signing == null) {
            return;
        }
        JsonNode sig = root.get("signature");
        if (sig == null || !sig.isTextual()) {
            throw new WireFormatException(FORMAT + ": signature missing");
        }
        byte[] mac;
        try {
            mac = Base64.getDecoder().decode(sig.asText());
        } catch (IllegalArgumentException e) {
            throw new WireFormatException(FORMAT + ": signature is not base64");
        }
        if (mac.length == SnapshotSigning.HMAC_SIGNATURE_BYTES) {
            throw new WireFormatException(FORMAT + ": signature is HMAC-SHA256 (written before Ed25519 "
                    + "signatures); pin or unpin again to replace it");
        }
        if (!signing.verify(signed, signed.length, mac)) {
            throw new WireFormatException(FORMAT + ": signature does not verify with any configured key");
        }
    }

    private static byte[] signedText(ModelVerdict v) {
        return ("verdict\n" + v.modelName() + "\n" + v.version() + "\n" + v.verdict().wire() + "\n"
                + v.decidedAt().toEpochMilli() + "\n" + v.reason()).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] signedText(ModelControl c) {
        return (c.modelName() + "\n" + c.pinnedVersion() + "\n" + c.action().name().toLowerCase(Locale.ROOT) + "\n"
                + c.updatedAt().toEpochMilli()).getBytes(StandardCharsets.UTF_8);
    }
}
