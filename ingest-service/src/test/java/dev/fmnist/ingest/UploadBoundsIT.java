package dev.fmnist.ingest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.testing.KafkaTestResource;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.image.DecodeBudget;
import dev.fmnist.contracts.image.ImageDecoder;
import dev.fmnist.contracts.memory.ByteBudget;
import dev.fmnist.ingest.testing.Images;
import dev.fmnist.ingest.testing.TestFiles;
import dev.fmnist.ingest.testing.TopicReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import io.quarkus.test.common.http.TestHTTPResource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Decompression bombs, a spent decode budget and oversized multipart bodies, on the real service. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
class UploadBoundsIT {
    static {
        // every request of this test carries the %test writer token (application.properties)
        io.restassured.RestAssured.authentication = io.restassured.RestAssured.oauth2("test-writer-token");
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "quarkus.http.body.uploads-directory")
    Path uploads;

    @Inject
    ImageDecoder decoder;

    @TestHTTPResource("/api/v1/images")
    URI images;

    @Test
    void uploadsAndPublicationNeedAWriterOrAdminToken() {
        given().auth().none().contentType("image/png").queryParam("label", "7").body(Images.png28(1))
                .post("/api/v1/images").then().statusCode(401).header("WWW-Authenticate", "Bearer")
                .body("error", containsString("Authorization: Bearer"));
        given().auth().none().contentType("application/zip").body(new byte[0]).post("/api/v1/images/bulk")
                .then().statusCode(401);
        given().auth().oauth2("not-a-token").post("/api/v1/datasets/fashion-mnist/publish").then().statusCode(401)
                .body("error", containsString("not a configured token"));
        // an admin token also acts as writer; the bearer scheme is case-insensitive
        given().auth().none().header("Authorization", "bearer test-admin-token").contentType("image/png")
                .queryParam("label", "7").body(new byte[] {1, 2, 3}).post("/api/v1/images").then().statusCode(400);
        // reads stay open (200 or 404, whether a publication ran before in this JVM)
        given().auth().none().get("/api/v1/datasets/fashion-mnist/publish").then()
                .statusCode(org.hamcrest.Matchers.not(org.hamcrest.Matchers.anyOf(
                        org.hamcrest.Matchers.is(401), org.hamcrest.Matchers.is(403))));
    }

    @Test
    void bombsAre413AndNothingIsPublished() {
        long before;
        try (TopicReader topics = new TopicReader(bootstrap)) {
            before = topics.end(Topics.TRAIN);
            given().contentType("image/png").queryParam("label", "7").body(Images.pngBomb()).post("/api/v1/images")
                    .then().statusCode(413).body("error", containsString("6324x6324 PNG, 4 channels of 16 bits needs"));
            given().multiPart("file", "bomb.png", Images.pngBomb(), "image/png").multiPart("label", "7")
                    .post("/api/v1/images").then().statusCode(413).body("error", containsString("6324x6324"));
            Map<String, byte[]> entries = new LinkedHashMap<>();
            entries.put("Bag/good.png", Images.png28(1));
            entries.put("Bag/bomb.png", Images.pngBomb());
            given().contentType("application/zip").body(TestFiles.zip(entries)).post("/api/v1/images/bulk")
                    .then().statusCode(400).body("entries[0].entry", equalTo("Bag/bomb.png"))
                    .body("entries[0].error", containsString("6324x6324"));
            assertEquals(before, topics.end(Topics.TRAIN));
        }
    }

    @Test
    void aSpentDecodeBudgetIs503WithRetryAfter() {
        DecodeBudget budget = decoder.budget();
        try (ByteBudget.Lease all = budget.acquire(budget.totalBytes(), Duration.ZERO)) {
            given().contentType("image/png").queryParam("label", "7").body(Images.png28(3)).post("/api/v1/images")
                    .then().statusCode(503).header("Retry-After", "1")
                    .body("error", containsString("too many images are being decoded at once"));
        }
        assertEquals(budget.totalBytes(), budget.availableBytes());
    }

    @Test
    void aMultipartBodyOverTheImageLimitIsRefusedBeforeItIsSpooled() throws Exception {
        byte[] big = new byte[11 << 20];
        System.arraycopy(Images.png28(1), 0, big, 0, 100);
        byte[] head = ("--xyz\r\nContent-Disposition: form-data; name=\"label\"\r\n\r\n7\r\n--xyz\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"big.png\"\r\nContent-Type: image/png\r\n\r\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] tail = "\r\n--xyz--\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] body = new byte[head.length + big.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(big, 0, body, head.length, big.length);
        System.arraycopy(tail, 0, body, head.length + big.length, tail.length);
        HttpRequest request = HttpRequest.newBuilder(images)
                .header("Content-Type", "multipart/form-data; boundary=xyz")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<String> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(413, r.statusCode(), r.body());
        assertTrue(r.body().contains("multipart upload of " + body.length + " bytes exceeds the limit"), r.body());
        assertEquals(0, spooled(), "nothing is left in " + uploads);
    }

    private long spooled() throws IOException {
        if (!Files.isDirectory(uploads)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(uploads)) {
            return files.count();
        }
    }

    @Test
    void aBodyOverTheHardLimitGetsA413TheClientCanRead() throws Exception {
        // 102 MiB: over quarkus.http.limits.max-body-size (101M), sent whole before the answer is read
        String answer = postWholeBody(URI.create(images + "/bulk"), "application/zip", 102L << 20);
        assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
        assertTrue(answer.contains("exceeds the server's hard limit of " + (101L << 20) + " bytes"), answer);
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
