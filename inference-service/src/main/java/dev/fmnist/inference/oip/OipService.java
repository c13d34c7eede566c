package dev.fmnist.inference.oip;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.domain.Scorer;
import dev.fmnist.inference.service.ModelService;
import dev.fmnist.inference.service.ServedModel;
import dev.fmnist.support.rest.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Open Inference Protocol v2 over every served model: which model and version a path names, its
 * metadata, and inference. A request for a model without a version is scored by its live version
 * (the pinned one when pinned), with a version by that version if this replica keeps it. Images are
 * scored by the same code as {@code /api/v1/classify} with raw bytes, so both answer the same
 * probabilities.
 */
@ApplicationScoped
public class OipService {
    private static final JsonFactory JSON = new JsonFactory();

    private final ModelService models;
    private final InferRequestParser parser;

    public OipService(ModelService models, InferenceConfig config) {
        this.models = models;
        this.parser = new InferRequestParser(config.maxBatchSize());
    }

    /** {@code GET /v2}. */
    public Map<String, Object> server() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "fmnist-inference");
        m.put("version", "2");
        m.put("extensions", List.of());
        return m;
    }

    /** Server readiness: every served model has a live version (the service's readiness rule). */
    public boolean ready() {
        return models.allLive();
    }

    /**
     * The served model a path names (family id or model name), failures as the protocol's errors.
     *
     * @throws ApiException 404 for a model not served here, naming the served ones
     */
    public ServedModel model(String name) {
        return models.model(name);
    }

    /**
     * The version a path names ({@link ServedModel#resolve}), failures as the protocol's errors.
     *
     * @param version null for "the served one"
     * @throws ApiException 404 for a model not served here or a version this replica does not keep, 503
     *                      before the model's first version
     */
    public LoadedModel resolve(String name, String version) {
        return model(name).resolve(version);
    }

    /**
     * {@code GET /v2/models/{name}[/versions/{v}]}: the input as the model's first layer reads it
     * ({@code [-1, 784]} for a dense one, {@code [-1, 1, 28, 28]} for a convolution; infer takes either
     * for every model), the outputs {@code [-1, 10]} and {@code [-1]}.
     */
    public Map<String, Object> metadata(String name, String version) {
        ServedModel served = model(name);
        LoadedModel m = served.resolve(version);
        List<String> versions = new ArrayList<>();
        for (LoadedModel kept : served.registry().state().retained()) {
            versions.add(Long.toString(kept.version()));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", m.modelName());
        out.put("versions", version == null ? versions : List.of(Long.toString(m.version())));
        out.put("platform", OipModel.platform(m.family()));
        out.put("inputs", List.of(tensor(OipModel.INPUT, "UINT8", OipModel.inputShape(m.family()))));
        out.put("outputs", List.of(tensor(OipModel.PROBABILITIES, "FP32", -1, FashionMnist.CLASSES),
                tensor(OipModel.CLASS, "INT64", -1)));
        return out;
    }

    private static Map<String, Object> tensor(String name, String datatype, long... shape) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", name);
        t.put("datatype", datatype);
        List<Long> dims = new ArrayList<>();
        for (long d : shape) {
            dims.add(d);
        }
        t.put("shape", dims);
        return t;
    }

    /** {@code POST .../infer}: the response body, JSON. */
    public byte[] infer(String name, String version, byte[] body) {
        LoadedModel model = resolve(name, version);
        InferRequest request = parser.parse(body);
        float[][] probabilities = new float[request.n()][];
        for (int i = 0; i < request.n(); i++) {
            probabilities[i] = request.uint8() != null
                    ? Scorer.score(model, request.uint8(), i * FashionMnist.PIXELS)
                    : Scorer.score(model, request.fp32(), i * FashionMnist.PIXELS);
        }
        return response(model, request, probabilities);
    }

    private static byte[] response(LoadedModel model, InferRequest request, float[][] probabilities) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + request.n() * 140);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("model_name", model.modelName());
            g.writeStringField("model_version", Long.toString(model.version()));
            if (request.id() != null) {
                g.writeStringField("id", request.id());
            }
            g.writeArrayFieldStart("outputs");
            if (request.wants(OipModel.PROBABILITIES)) {
                g.writeStartObject();
                g.writeStringField("name", OipModel.PROBABILITIES);
                g.writeArrayFieldStart("shape");
                g.writeNumber(request.n());
                g.writeNumber(FashionMnist.CLASSES);
                g.writeEndArray();
                g.writeStringField("datatype", "FP32");
                g.writeArrayFieldStart("data");
                for (float[] p : probabilities) {
                    for (float v : p) {
                        g.writeNumber(v);
                    }
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            if (request.wants(OipModel.CLASS)) {
                g.writeStartObject();
                g.writeStringField("name", OipModel.CLASS);
                g.writeArrayFieldStart("shape");
                g.writeNumber(request.n());
                g.writeEndArray();
                g.writeStringField("datatype", "INT64");
                g.writeArrayFieldStart("data");
                for (float[] p : probabilities) {
                    g.writeNumber((long) Scorer.argmax(p));
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
