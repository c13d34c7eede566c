package dev.fmnist.contracts;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * The one codec of {@link Alert}: JSON
 * {@code {"kind": "refused", "model": "fmnist-softmax", "versions": {"candidate": 11, "live": 10},
 * "reason": "...", "figures": {"testAccuracy": 0.0435}, "source": "inference-0", "time": "2026-12-07T15:00:00Z"}}.
 * Unknown fields are ignored (a newer writer may add some); a record over {@link #MAX_RECORD_BYTES} is refused
 * before parsing.
 */
public final class AlertCodec {
    public static final int MAX_RECORD_BYTES = 16 * 1024;
    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(3).build()).build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    record AlertJson(String kind, String model, Map<String, Long> versions, String reason, Map<String, Double> figures,
                     String source, String time) {
    }

    private AlertCodec() {
    }

    public static byte[] encode(Alert a) {
        try {
            return JSON.writeValueAsBytes(new AlertJson(a.kind().wire(), a.model(), a.versions(), a.reason(),
                    a.figures(), a.source(), a.time().toString()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws WireFormatException naming what is wrong */
    public static Alert decode(byte[] data) {
        if (data == null) {
            throw new WireFormatException("alert: record has no value (null)");
        }
        if (data.length > MAX_RECORD_BYTES) {
            throw new WireFormatException("alert: record of " + data.length + " bytes exceeds " + MAX_RECORD_BYTES);
        }
        AlertJson j;
        try {
            j = JSON.readValue(data, AlertJson.class);
        } catch (JsonProcessingException e) {
            throw new WireFormatException("alert: not an alert object (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new WireFormatException("alert: unreadable (" + e.getMessage() + ")");
        }
        if (j == null || j.kind() == null || j.model() == null || j.reason() == null || j.source() == null
                || j.time() == null) {
            throw new WireFormatException("alert: needs \"kind\", \"model\", \"reason\", \"source\" and \"time\"");
        }
        try {
            return new Alert(Alert.Kind.ofWire(j.kind()), j.model(), j.versions(), j.reason(), j.figures(), j.source(),
                    Instant.parse(j.time()));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new WireFormatException("alert: " + e.getMessage());
        }
    }
}
