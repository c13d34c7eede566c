package dev.fmnist.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one codec of {@link Alert}: JSON
 * {@code {"kind": "refused", "model": "fmnist-softmax", "versions": {"candidate": 11, "live": 10},
 * "reason": "...", "figures": {"testAccuracy": 0.0435}, "source": "inference-0", "time": "2026-12-07T15:00:00Z",
 * "signature": "base64"}}. Unknown fields are ignored (a newer writer may add some); a record over
 * {@link #MAX_RECORD_BYTES} is refused before parsing.
 *
 * <p>Signed like the model-control records ({@link ModelControlCodec}), with the same key pair (inference's
 * model-control key): {@code signature} is the Ed25519 signature ({@link SnapshotSigning}) of a canonical text
 * built from the decoded alert, {@code alert \n kind \n model \n source \n time \n versions \n figures \n reason}
 * (versions and figures as {@code name=value} sorted by name, comma-separated; figures in {@link Double#toString};
 * the leading word keeps it apart from a pin's or a verdict's signed text). Why this form and not a signed
 * envelope around opaque bytes: the value stays the readable JSON it was (kcat, the promtool-tested alert
 * routers and people read it as before, and a reader that ignores signatures still parses it), the cap stays
 * 16 KiB (a signature adds 100 bytes), and the signed text depends only on what the alert says, not on how a
 * JSON writer spaced, ordered or escaped it. A reader with keys refuses an alert without a valid signature;
 * a reader without keys (auth off) accepts unsigned alerts, as for model-control records.
 */
public final class AlertCodec {
    public static final int MAX_RECORD_BYTES = 16 * 1024;
    private static final String FORMAT = "alert";
    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(3).build()).build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** Why a reader refused an alert: the few values of a metric's {@code reason} tag. */
    public enum Refusal {
        /** Not an alert: not JSON, a required field missing, a value out of its contract. */
        MALFORMED,
        /** Over {@link #MAX_RECORD_BYTES}. */
        OVERSIZED,
        /** No signature, while the reader holds keys. */
        UNSIGNED,
        /** A signature that is not base64 or verifies with none of the reader's keys. */
        FORGED,
        /** The reader holds no key while unsigned alerts are not accepted (auth on): every alert is refused. */
        NO_KEY;

        /** The tag value: {@code malformed}, {@code oversized}, {@code unsigned}, {@code forged}, {@code no-key}. */
        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** An alert a reader refuses, with why. */
    public static final class RefusedAlertException extends WireFormatException {
        private final Refusal refusal;

        public RefusedAlertException(Refusal refusal, String message) {
            super(FORMAT + ": " + message);
            this.refusal = refusal;
        }

        public Refusal refusal() {
            return refusal;
        }
    }

    /** The wire form; an unsigned alert has no {@code signature} field at all. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record AlertJson(String kind, String model, Map<String, Long> versions, String reason, Map<String, Double> figures,
                     String source, String time, String signature) {
    }

    private AlertCodec() {
    }

    /** @param signing the writer's keys (signs), or null for an unsigned alert (auth off) */
    public static byte[] encode(Alert a, SnapshotSigning signing) {
        String signature = null;
        if (signing != null) {
            byte[] signed = signedText(a);
            signature = Base64.getEncoder().encodeToString(signing.sign(signed, signed.length));
        }
        try {
            return JSON.writeValueAsBytes(new AlertJson(a.kind().wire(), a.model(), a.versions(), a.reason(),
                    a.figures(), a.source(), a.time().toString(), signature));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param signing accepted keys, or null to accept unsigned alerts (a signature is then not checked)
     * @throws RefusedAlertException naming what is wrong and why ({@link RefusedAlertException#refusal()})
     */
    public static Alert decode(byte[] data, SnapshotSigning signing) {
        if (data == null) {
            throw new RefusedAlertException(Refusal.MALFORMED, "record has no value (null)");
        }
        if (data.length > MAX_RECORD_BYTES) {
            throw new RefusedAlertException(Refusal.OVERSIZED, "record of " + data.length + " bytes exceeds "
                    + MAX_RECORD_BYTES);
        }
        AlertJson j;
        try {
            j = JSON.readValue(data, AlertJson.class);
        } catch (JsonProcessingException e) {
            throw new RefusedAlertException(Refusal.MALFORMED, "not an alert object (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new RefusedAlertException(Refusal.MALFORMED, "unreadable (" + e.getMessage() + ")");
        }
        if (j == null || j.kind() == null || j.model() == null || j.reason() == null || j.source() == null
                || j.time() == null) {
            throw new RefusedAlertException(Refusal.MALFORMED,
                    "needs \"kind\", \"model\", \"reason\", \"source\" and \"time\"");
        }
        Alert a;
        try {
            a = new Alert(Alert.Kind.ofWire(j.kind()), j.model(), j.versions(), j.reason(), j.figures(), j.source(),
                    Instant.parse(j.time()));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new RefusedAlertException(Refusal.MALFORMED, e.getMessage());
        }
        if (signing != null) {
            verify(j.signature(), signedText(a), signing);
        }
        return a;
    }

    private static void verify(String signature, byte[] signed, SnapshotSigning signing) {
        if (signature == null) {
            throw new RefusedAlertException(Refusal.UNSIGNED, "signature missing");
        }
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            throw new RefusedAlertException(Refusal.FORGED, "signature is not base64");
        }
        if (!signing.verify(signed, signed.length, sig)) {
            throw new RefusedAlertException(Refusal.FORGED, "signature does not verify with any configured key");
        }
    }

    /** The canonical text an alert's signature covers (see the class comment). */
    static byte[] signedText(Alert a) {
        StringBuilder b = new StringBuilder("alert\n").append(a.kind().wire()).append('\n').append(a.model())
                .append('\n').append(a.source()).append('\n').append(a.time()).append('\n');
        entries(b, new TreeMap<>(a.versions()));
        b.append('\n');
        entries(b, new TreeMap<>(a.figures()));
        return b.append('\n').append(a.reason()).toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void entries(StringBuilder b, Map<String, ?> sorted) {
        String sep = "";
        for (Map.Entry<String, ?> e : sorted.entrySet()) {
            b.append(sep).append(e.getKey()).append('=').append(e.getValue());
            sep = ",";
        }
    }
}
