package dev.fmnist.inference.it;

import static dev.fmnist.inference.it.TestRecords.firstMatch;
import static dev.fmnist.inference.it.TestRecords.send;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.testing.KafkaTestResource;
import dev.fmnist.contracts.ClassificationCodec;
import dev.fmnist.contracts.ClassificationRequest;
import dev.fmnist.contracts.DeadLetters;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshotCodec;
import dev.fmnist.contracts.image.DecodeBudget;
import dev.fmnist.contracts.image.ImageDecoder;
import dev.fmnist.contracts.memory.ByteBudget;
import dev.fmnist.inference.support.SoftmaxFit;
import dev.fmnist.inference.support.TestSigning;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Decompression bombs and bursts of large images against the running service (REST and Kafka), with
 * a small decode budget: bombs are 413, what does not fit is 503 with Retry-After, nothing is 500,
 * and a Kafka request that meets a spent budget waits instead of being dead-lettered. With a small body
 * budget: a body that does not fit while another is being received is 503 before it is read.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@TestProfile(DecodeLimitsIT.Profile.class)
class DecodeLimitsIT {
    static final String MODEL = "fmnist-softmax";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long MIB = 1L << 20;
    private static final long BODY_BUDGET = 4 * MIB;

    /** Its own profile (a fresh broker); one large image (2000x2000 RGB, 28 MB) fills the 32 MiB budget. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fmnist.inference.models", "softmax",
                    "fmnist.inference.max-decoded-bytes", Long.toString(32L << 20),
                    "fmnist.inference.decode-budget-bytes", Long.toString(32L << 20),
                    "fmnist.inference.decode-wait", "PT0.1S",
                    "fmnist.inference.body-budget-bytes", Long.toString(BODY_BUDGET),
                    "fmnist.inference.snapshot-poll-timeout", "PT0.1S",
                    "fmnist.inference.promotion.policy", "latest");
        }
    }

    @Inject
    ImageDecoder decoder;

    @TestHTTPResource("/api/v1/classify")
    URI classify;

    private final HttpClient http = HttpClient.newHttpClient();
    /** The test's Kafka client, injected by KafkaTestResource. */
    KafkaCompanion kafka;

    @BeforeEach
    void modelLoaded() throws InterruptedException {
        if (given().get("/api/v1/model").statusCode() == 200) {
            return;
        }
        var snapshot = SoftmaxFit.snapshot(MODEL, 1, SoftmaxFit.random(3, 0.05), Instant.now());
        send(kafka, new ProducerRecord<>(Topics.SNAPSHOTS, TestSigning.key(snapshot), TestSigning.signed(snapshot)));
        await("model loaded").atMost(TIMEOUT).until(() -> given().get("/api/v1/model").statusCode() == 200);
    }

    @Test
    void concurrentBombsAre413AndConcurrentLargeImagesAre200Or503() throws Exception {
        byte[] bomb = pngBomb();
        byte[] large = largePng(2000);
        ExecutorService pool = Executors.newFixedThreadPool(24);
        try {
            List<Future<HttpResponse<String>>> bombs = new ArrayList<>();
            List<Future<HttpResponse<String>>> larges = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                bombs.add(pool.submit(() -> post(bomb)));
                if (i < 8) {
                    larges.add(pool.submit(() -> post(large)));
                }
            }
            for (Future<HttpResponse<String>> f : bombs) {
                HttpResponse<String> r = f.get();
                assertEquals(413, r.statusCode(), r.body());
                assertTrue(r.body().contains("6324x6324 PNG, 4 channels of 16 bits needs"), r.body());
            }
            int ok = 0;
            for (Future<HttpResponse<String>> f : larges) {
                HttpResponse<String> r = f.get();
                assertTrue(r.statusCode() == 200 || r.statusCode() == 503, r.statusCode() + " " + r.body());
                if (r.statusCode() == 503) {
                    assertEquals("1", r.headers().firstValue("Retry-After").orElse(null));
                } else {
                    ok++;
                }
            }
            assertTrue(ok >= 1, "at least one large image was classified");
        } finally {
            pool.shutdownNow();
        }
        assertEquals(decoder.budget().totalBytes(), decoder.budget().availableBytes(), "every lease released");
        given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void aSpentBudgetIs503WithRetryAfterAndCounted() throws Exception {
        DecodeBudget budget = decoder.budget();
        try (ByteBudget.Lease all = budget.acquire(budget.totalBytes(), Duration.ZERO)) {
            given().contentType("image/png").body(largePng(100)).post("/api/v1/classify")
                    .then().statusCode(503).header("Retry-After", "1")
                    .body("error", containsString("too many images are being decoded at once"));
        }
        String metrics = given().get("/q/metrics").asString();
        assertTrue(metrics.lines().anyMatch(l -> l.contains("outcome=\"busy\"") && !l.startsWith("#")
                && !l.trim().endsWith(" 0.0")), "a busy outcome was counted");
    }

    @Test
    void onKafkaABombIsDeadLetteredAndABusyBudgetOnlyDelaysARequest() throws Exception {
        send(kafka, new ProducerRecord<>(Topics.REQUESTS, "bomb-1".getBytes(StandardCharsets.UTF_8),
                ClassificationCodec.encodeRequest(new ClassificationRequest("bomb-1", null, pngBomb(), false, null))));
        var dead = firstMatch(kafka, Topics.DEAD_LETTER,
                r -> r.key() != null && "bomb-1".equals(new String(r.key(), StandardCharsets.UTF_8)), TIMEOUT);
        assertTrue(DeadLetters.header(dead.headers(), DeadLetters.REASON).contains("6324x6324"),
                DeadLetters.header(dead.headers(), DeadLetters.REASON));

        DecodeBudget budget = decoder.budget();
        ByteBudget.Lease all = budget.acquire(budget.totalBytes(), Duration.ZERO);
        try {
            send(kafka, new ProducerRecord<>(Topics.REQUESTS, "held-1".getBytes(StandardCharsets.UTF_8),
                    ClassificationCodec.encodeRequest(new ClassificationRequest("held-1", null, largePng(100), false, null))));
            Thread.sleep(1500); // the point: several busy rounds while the budget is held
        } finally {
            all.close();
        }
        var answer = firstMatch(kafka, Topics.PREDICTIONS,
                r -> r.key() != null && "held-1".equals(new String(r.key(), StandardCharsets.UTF_8)), TIMEOUT);
        assertEquals(10, ClassificationCodec.decodePrediction(answer.value()).probabilities().length);
    }


    @Test
    void aBodyThatDoesNotFitTheBodyBudgetIs503BeforeItIsReadAndTheBudgetComesBack() throws Exception {
        // A client announces 3 of the 4 MiB and sends only a little: its reservation is held while it sends.
        try (Socket slow = new Socket(classify.getHost(), classify.getPort())) {
            OutputStream out = slow.getOutputStream();
            out.write(("POST /api/v1/classify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Length: " + 3 * MIB + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[1024]);
            out.flush();
            HttpResponse<String> busy = awaitStatus(503, 2 * MIB);
            assertEquals("1", busy.headers().firstValue("Retry-After").orElse(null));
            assertTrue(busy.body().contains("too many request bodies are being received at once"), busy.body());
            // a chunked body counts as the hard limit (at most the whole budget): no room either
            HttpResponse<String> chunked = http.send(HttpRequest.newBuilder(classify)
                    .header("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[784]))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, chunked.statusCode(), chunked.body());
            assertTrue(chunked.body().contains("a body without Content-Length counts as"), chunked.body());
            // over the size limit stays 413 (that check comes first), and a small request still fits
            assertEquals(413, post("application/octet-stream", new byte[11 << 20]).statusCode());
            assertEquals(200, post("application/octet-stream", new byte[784]).statusCode());
        }
        // the slow client is gone: its reservation is given back, so the same 2 MiB body is read (and refused
        // for its size, 784 bytes expected)
        HttpResponse<String> read = awaitStatus(400, 2 * MIB);
        assertTrue(read.body().contains("must be exactly 784 bytes"), read.body());
    }

    /** Posts a zero body of {@code bytes} until the answer is {@code status} (the slow client's state settles). */
    private HttpResponse<String> awaitStatus(int status, long bytes) throws Exception {
        AtomicReference<HttpResponse<String>> answer = new AtomicReference<>();
        await("answer " + status).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            answer.set(post("application/octet-stream", new byte[(int) bytes]));
            assertEquals(status, answer.get().statusCode(), answer.get().body());
        });
        return answer.get();
    }

    private HttpResponse<String> post(String contentType, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(classify).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(byte[] png) throws Exception {
        return post("image/png", png);
    }

    static byte[] largePng(int side) throws Exception {
        BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillOval(side / 4, side / 4, side / 2, side / 2);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /** The issue's 61-byte PNG: 6324x6324 16-bit RGBA, CRCs correct, a 4-byte IDAT. */
    static byte[] pngBomb() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        out.writeBytes(chunk("IHDR", ByteBuffer.allocate(13).putInt(6324).putInt(6324).put((byte) 16).put((byte) 6)
                .put((byte) 0).put((byte) 0).put((byte) 0).array()));
        out.writeBytes(chunk("IDAT", new byte[] {0x78, (byte) 0x9C, 0x03, 0x00}));
        out.writeBytes(chunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    private static byte[] chunk(String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        return ByteBuffer.allocate(12 + data.length).putInt(data.length).put(t).put(data).putInt((int) crc.getValue()).array();
    }

    @Test
    void aBodyOverTheHardLimitGetsA413TheClientCanRead() throws Exception {
        // 17 MiB: over quarkus.http.limits.max-body-size (16M), sent whole before the answer is read
        String answer = postWholeBody(classify, "application/octet-stream", 17L << 20);
        assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
        assertTrue(answer.contains("{\"error\":\"request body of 17825792 bytes exceeds the server's hard limit of "
                + (16L << 20) + " bytes\"}"), answer);
    }

    /**
     * Posts like Python's http.client or curl without Expect: the headers, the whole body, and only then
     * reads the answer (until the server closes). A server that closes while the body is still coming makes
     * the write fail ("Broken pipe", "Connection reset").
     */
    static String postWholeBody(URI uri, String contentType, long bytes) throws java.io.IOException {
        try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(60_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                    + "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + bytes + "\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] chunk = new byte[1 << 16];
            for (long sent = 0; sent < bytes; sent += chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, bytes - sent));
            }
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
