package dev.fmnist.inference.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.contracts.model.Forward;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.inference.support.OnnxRuntimeModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Checks the models a running inference service serves, against the whole test split, as a user would:
 * per model, the test accuracy the served snapshot records, the accuracy of scoring the 10,000 test
 * images over REST (JSON batches), and the accuracy of the model's ONNX export (downloaded from the
 * service, the same version) run by ONNX Runtime. All three must be equal; exits 1 naming the first
 * mismatch. Arguments: {@code inference-url data-dir model[,model...]}. Run by
 * {@code export-check/served-check.sh} (the console's end-to-end test calls it on the pipeline it starts).
 */
public final class ServedModelCheck {
    private static final int BATCH = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ServedModelCheck() {
    }

    public static void main(String[] args) throws Exception {
        String base = args[0].replaceAll("/+$", "");
        FashionMnistData.Split test = FashionMnistData.load(Path.of(args[1])).test();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        boolean ok = true;
        for (String name : args[2].split(",")) {
            String model = ModelFamily.parse(name).modelName();
            JsonNode info = JSON.readTree(get(http, base + "/api/v1/model?model=" + model));
            long version = info.get("version").asLong();
            double recorded = info.get("testAccuracy").asDouble();
            int restCorrect = 0;
            for (int start = 0; start < test.count(); start += BATCH) {
                int n = Math.min(BATCH, test.count() - start);
                StringBuilder body = new StringBuilder("{\"images\":[");
                for (int i = 0; i < n; i++) {
                    body.append(i == 0 ? "[" : ",[");
                    for (int p = 0; p < FashionMnist.PIXELS; p++) {
                        body.append(p == 0 ? "" : ",").append(test.images().pixels()[(start + i) * FashionMnist.PIXELS + p] & 0xFF);
                    }
                    body.append(']');
                }
                body.append("]}");
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/classify?model=" + model))
                        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("classify answered " + r.statusCode() + ": " + r.body());
                }
                JsonNode predictions = JSON.readTree(r.body()).get("predictions");
                for (int i = 0; i < n; i++) {
                    JsonNode p = predictions.get(i);
                    if (p.get("modelVersion").asLong() != version) {
                        throw new IllegalStateException(model + " moved from v" + version + " during the check");
                    }
                    if (p.get("classIndex").asInt() == test.label(start + i)) {
                        restCorrect++;
                    }
                }
            }
            byte[] onnx = get(http, base + "/api/v1/model/export?format=onnx&model=" + model + "&version=" + version);
            int onnxCorrect = 0;
            try (OnnxRuntimeModel ort = new OnnxRuntimeModel(onnx)) {
                float[][] p = ort.probabilities(test);
                for (int i = 0; i < p.length; i++) {
                    if (Forward.argmax(p[i]) == test.label(i)) {
                        onnxCorrect++;
                    }
                }
            }
            double rest = (double) restCorrect / test.count();
            double ort = (double) onnxCorrect / test.count();
            boolean same = Math.round(recorded * test.count()) == restCorrect && restCorrect == onnxCorrect;
            System.out.printf(Locale.ROOT, "served-check: %s v%d test accuracy recorded %.4f, REST %.4f (%d of %d), "
                    + "ONNX Runtime on its export %.4f (%d bytes): %s%n", model, version, recorded, rest, restCorrect,
                    test.count(), ort, onnx.length, same ? "equal" : "DIFFERENT");
            ok &= same;
        }
        System.exit(ok ? 0 : 1);
    }

    private static byte[] get(HttpClient http, String url) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).GET().build();
        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + url + " answered " + r.statusCode());
        }
        return r.body();
    }
}
