package dev.fmnist.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.function.Function;

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
 * them (their key is not a model name). A verdict key's tombstone (null value) deletes a verdict that can no
 * longer matter; readers check for it before decoding.
 *
 * <p>Both are bound strictly ({@link StrictJson}): an unknown field is refused by name, numbers are integers,
 * nothing may follow the object, and a record over {@link #MAX_RECORD_BYTES} is refused before it is parsed.
 */
public final class ModelControlCodec {
    /** Far more than a valid record needs; anything longer is refused before parsing. */
    public static final int MAX_RECORD_BYTES = 4096;
    private static final JsonMapper JSON = StrictJson.mapper(StreamReadConstraints.builder()
            .maxNestingDepth(4).maxStringLength(MAX_RECORD_BYTES).maxNumberLength(32).build());
    private static final String FORMAT = "model control";
    private static final String PIN_NEEDS = "needs \"model\" (string), \"pinnedVersion\" (integer), "
            + "\"action\" (pin/unpin/rollback) and \"updatedAt\" (epoch milliseconds)";
    private static final String VERDICT_NEEDS = "a verdict needs \"model\" (string), \"version\" (integer), "
            + "\"action\" (promote/refuse/roll-back), \"reason\" (string) and \"updatedAt\" (epoch milliseconds)";

    private ModelControlCodec() {
    }

    /** A record of the topic as it is on the wire: what it says and its signature (null when unsigned). */
    private interface SignedRecord<T> {
        /** @throws IllegalArgumentException naming what the content breaks */
        T value();

        String signature();
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"model", "pinnedVersion", "action", "updatedAt", "signature"})
    private record PinRecord(@JsonProperty(required = true) String model,
                             @JsonProperty(required = true) long pinnedVersion,
                             @JsonProperty(required = true) String action,
                             @JsonProperty(required = true) long updatedAt,
                             String signature) implements SignedRecord<ModelControl> {
        static PinRecord of(ModelControl c, String signature) {
            return new PinRecord(c.modelName(), c.pinnedVersion(), wireAction(c), c.updatedAt().toEpochMilli(), signature);
        }

        @Override
        public ModelControl value() {
            if (model == null || action == null) {
                throw new IllegalArgumentException(PIN_NEEDS);
            }
            return new ModelControl(model, pinnedVersion, ModelControl.Action.valueOf(action.toUpperCase(Locale.ROOT)),
                    Instant.ofEpochMilli(updatedAt));
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"model", "version", "action", "reason", "updatedAt", "signature"})
    private record VerdictRecord(@JsonProperty(required = true) String model,
                                 @JsonProperty(required = true) long version,
                                 @JsonProperty(required = true) String action,
                                 @JsonProperty(required = true) String reason,
                                 @JsonProperty(required = true) long updatedAt,
                                 String signature) implements SignedRecord<ModelVerdict> {
        static VerdictRecord of(ModelVerdict v, String signature) {
            return new VerdictRecord(v.modelName(), v.version(), v.verdict().wire(), v.reason(),
                    v.decidedAt().toEpochMilli(), signature);
        }

        @Override
        public ModelVerdict value() {
            if (model == null || action == null || reason == null) {
                throw new IllegalArgumentException(VERDICT_NEEDS);
            }
            ModelVerdict v = new ModelVerdict(model, version, ModelVerdict.Verdict.ofWire(action), reason,
                    Instant.ofEpochMilli(updatedAt));
            if (!v.reason().equals(reason)) {
                // the writer cuts a long reason before signing: a longer one was not written by it
                throw new IllegalArgumentException("reason longer than " + ModelVerdict.MAX_REASON + " characters");
            }
            return v;
        }
    }

    public static byte[] encode(ModelControl c, SnapshotSigning signing) {
        return encode(signedText(c), signing, sig -> PinRecord.of(c, sig));
    }

    /**
     * @param signing accepted keys, or null to accept unsigned records
     * @throws WireFormatException naming what is wrong
     */
    public static ModelControl decode(byte[] data, SnapshotSigning signing) {
        return decode(data, PinRecord.class, PIN_NEEDS, ModelControlCodec::signedText, signing);
    }

    public static byte[] encodeVerdict(ModelVerdict v, SnapshotSigning signing) {
        return encode(signedText(v), signing, sig -> VerdictRecord.of(v, sig));
    }

    /**
     * @param signing accepted keys, or null to accept unsigned records
     * @throws WireFormatException naming what is wrong (a tombstone too: a reader checks for one first)
     */
    public static ModelVerdict decodeVerdict(byte[] data, SnapshotSigning signing) {
        return decode(data, VerdictRecord.class, VERDICT_NEEDS, ModelControlCodec::signedText, signing);
    }

    /** The one signing path: the record with the signature of {@code signed} (none without keys). */
    private static byte[] encode(byte[] signed, SnapshotSigning signing, Function<String, SignedRecord<?>> record) {
        String signature = signing == null ? null
                : Base64.getEncoder().encodeToString(signing.sign(signed, signed.length));
        try {
            return JSON.writeValueAsBytes(record.apply(signature));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The one verifying path: bind strictly, check the content, then the signature over its signed text. */
    private static <T> T decode(byte[] data, Class<? extends SignedRecord<T>> type, String needs,
                                Function<T, byte[]> signedText, SnapshotSigning signing) {
        SignedRecord<T> record = bind(data, type, needs);
        T value;
        try {
            value = record.value();
        } catch (IllegalArgumentException e) {
            throw new WireFormatException(FORMAT + ": " + e.getMessage());
        }
        verify(record.signature(), signedText.apply(value), signing);
        return value;
    }

    private static <R> R bind(byte[] data, Class<R> type, String needs) {
        if (data == null) {
            throw new WireFormatException(FORMAT + ": record has no value (null)");
        }
        if (data.length > MAX_RECORD_BYTES) {
            throw new WireFormatException(FORMAT + ": record of " + data.length + " bytes exceeds " + MAX_RECORD_BYTES);
        }
        try (JsonParser p = JSON.createParser(data)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new WireFormatException(FORMAT + ": expected a JSON object");
            }
            return JSON.readValue(p, type);
        } catch (UnrecognizedPropertyException e) {
            throw new WireFormatException(FORMAT + ": " + needs + ": " + StrictJson.unknownField(e));
        } catch (JsonMappingException | InputCoercionException e) {
            throw new WireFormatException(FORMAT + ": " + needs + mismatch(e));
        } catch (IOException e) {
            boolean duplicate = e instanceof JsonProcessingException j && j.getOriginalMessage() != null
                    && j.getOriginalMessage().startsWith("Duplicate field");
            throw new WireFormatException(FORMAT + (duplicate ? ": a field is given twice" : ": not valid JSON"));
        }
    }

    /** Which field did not bind, without Jackson's class names (a reason ends up in a dead letter and a log). */
    private static String mismatch(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        if (message != null && message.startsWith("Missing required creator property '")) {
            return ": field '" + message.split("'")[1] + "' is missing";
        }
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()
                && m.getPath().get(m.getPath().size() - 1).getFieldName() != null) {
            return ": field '" + m.getPath().get(m.getPath().size() - 1).getFieldName() + "' is not of that kind";
        }
        if (message != null && message.startsWith("Trailing token")) {
            return ": something follows the object";
        }
        return e instanceof InputCoercionException ? ": a number is out of range" : "";
    }

    private static void verify(String signature, byte[] signed, SnapshotSigning signing) {
        if (signing == null) {
            return;
        }
        if (signature == null) {
            throw new WireFormatException(FORMAT + ": signature missing");
        }
        byte[] mac;
        try {
            mac = Base64.getDecoder().decode(signature);
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

    /** What a verdict's signature covers; unchanged since verdicts were introduced (records on topics verify). */
    private static byte[] signedText(ModelVerdict v) {
        return ("verdict\n" + v.modelName() + "\n" + v.version() + "\n" + v.verdict().wire() + "\n"
                + v.decidedAt().toEpochMilli() + "\n" + v.reason()).getBytes(StandardCharsets.UTF_8);
    }

    /** What a pin's signature covers; unchanged since pins were signed (records on topics verify). */
    private static byte[] signedText(ModelControl c) {
        return (c.modelName() + "\n" + c.pinnedVersion() + "\n" + wireAction(c) + "\n"
                + c.updatedAt().toEpochMilli()).getBytes(StandardCharsets.UTF_8);
    }

    private static String wireAction(ModelControl c) {
        return c.action().name().toLowerCase(Locale.ROOT);
    }
}
