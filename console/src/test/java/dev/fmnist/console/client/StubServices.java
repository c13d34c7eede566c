package dev.fmnist.console.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Inference, trainer and ingest as one small HTTP server with canned answers (the JSON the services
 * write), so the console's REST clients meet real HTTP: typed status reads and passed-through errors.
 */
public class StubServices implements QuarkusTestResourceLifecycleManager {
    /** What the stub was asked: method, path with query, Authorization header. */
    public record Call(String method, String uri, String authorization) {
    }

    public static final List<Call> CALLS = new CopyOnWriteArrayList<>();
    private HttpServer server;

    static final String TRAINING = """
            {"state":"TRAINING","detail":"epoch 3","modelName":"fmnist-softmax","epoch":2,"plannedEpochs":10,
             "step":940,"modelVersion":2,"learningRate":0.1,"batchSize":128,"seed":7,"samplesPerSecond":51234.5,
             "fieldOfANewerTrainer":{"x":[1]},
             "history":[{"epoch":1,"trainLoss":0.61,"trainAccuracy":0.79,"testAccuracy":0.78,"seconds":1.5,
                         "modelVersion":1,"samples":60000,"testSamples":10000}],"missingData":[]}""";
    static final String MODEL = """
            {"modelName":"fmnist-softmax","version":2,"epoch":2,"step":940,"testAccuracy":0.81,"trainLoss":0.5,
             "trainAccuracy":0.82,"createdAt":"2026-12-07T09:00:00Z","loadedAt":"2026-12-07T09:00:01Z",
             "hyperparameters":{"learningRate":0.1,"batchSize":128,"seed":7},"lineage":[],"live":true,"pinned":false,
             "fieldOfANewerInference":true}""";
    static final String ACCURACY = """
            {"accuracy":0.75,"versions":[{"version":2,"correct":3,"labelled":4,"accuracy":0.75}]}""";

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", this::answer);
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        return Map.of("fmnist.console.inference-url", url, "fmnist.console.trainer-url", url,
                "fmnist.console.ingest-url", url);
    }

    private void answer(HttpExchange x) throws IOException {
        String uri = x.getRequestURI().toString();
        CALLS.add(new Call(x.getRequestMethod(), uri, x.getRequestHeaders().getFirst("Authorization")));
        x.getRequestBody().readAllBytes();
        String route = x.getRequestMethod() + " " + x.getRequestURI().getPath();
        switch (route) {
            case "GET /api/v1/training" -> send(x, 200, TRAINING);
            case "GET /api/v1/model" -> send(x, 200, MODEL);
            case "GET /api/v1/model/accuracy" -> send(x, 200, ACCURACY);
            case "GET /api/v1/datasets/fashion-mnist/publish" -> send(x, 404, "{\"error\":\"no publication yet\"}");
            case "POST /api/v1/model/pin" -> send(x, 409, "{\"error\":\"version 9 is not retained\"}");
            case "POST /api/v1/classify" -> send(x, 200, "{\"label\":3,\"query\":\"" + x.getRequestURI().getQuery() + "\"}");
            default -> send(x, 500, "{\"error\":\"the stub has no " + route + "\"}");
        }
    }

    private static void send(HttpExchange x, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(status, body.length);
        x.getResponseBody().write(body);
        x.close();
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
