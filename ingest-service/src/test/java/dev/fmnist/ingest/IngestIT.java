package dev.fmnist.ingest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.api.PublishStatus;
import dev.fmnist.broker.testing.KafkaTestResource;
import dev.fmnist.contracts.ImageBatch;
import dev.fmnist.contracts.ImageBatchCodec;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.contracts.idx.IdxReader;
import dev.fmnist.contracts.image.ImageConverter;
import dev.fmnist.ingest.cli.PublishCommand;
import dev.fmnist.ingest.dataset.DatasetLocator;
import dev.fmnist.ingest.dataset.DatasetPlanner;
import dev.fmnist.ingest.dataset.PublishJob;
import dev.fmnist.ingest.dataset.PublishPlan;
import dev.fmnist.ingest.dataset.PublishedBatches;
import dev.fmnist.ingest.testing.Images;
import dev.fmnist.ingest.testing.TestFiles;
import dev.fmnist.ingest.testing.TopicReader;
import dev.fmnist.support.testing.JsonErrorChecks;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ingest service against a real Kafka broker: the whole dataset (skipping what is there), uploads, the CLI. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
class IngestIT {
    static {
        // every request of this test carries the %test writer token (application.properties)
        io.restassured.RestAssured.authentication = io.restassured.RestAssured.oauth2("test-writer-token");
    }

    private static final String PUBLISH = "/api/v1/datasets/fashion-mnist/publish";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    Producer<String, byte[]> producer;

    @TempDir
    Path tmp;

    private TopicReader topics;

    @BeforeEach
    void openReader() {
        topics = new TopicReader(bootstrap);
    }

    @AfterEach
    void closeReader() {
        topics.close();
    }

    @Test
    void publishesTheRealDatasetOnceThenSkipsItUnlessForced() {
        long train0 = topics.end(Topics.TRAIN);
        long test0 = topics.end(Topics.TEST);
        double trainImages0 = metric("fmnist_ingest_images_published_total{split=\"train\"}");
        double testImages0 = metric("fmnist_ingest_images_published_total{split=\"test\"}");
        double trainBatches0 = metric("fmnist_ingest_batches_published_total{split=\"train\"}");
        double trainBytes0 = metric("fmnist_ingest_bytes_published_total{split=\"train\"}");
        double jobs0 = metric("fmnist_ingest_publish_duration_seconds_count{outcome=\"succeeded\"}");
        double trainSkipped0 = metric("fmnist_ingest_images_skipped_total{split=\"train\"}");
        double testSkipped0 = metric("fmnist_ingest_images_skipped_total{split=\"test\"}");
        double trainBatchesSkipped0 = metric("fmnist_ingest_batches_skipped_total{split=\"train\"}");

        String jobId = given().post(PUBLISH).then().statusCode(202)
                .header("Location", containsString(PUBLISH))
                .body("jobId", notNullValue()).extract().path("jobId");
        // a second publication while one runs is refused
        given().post(PUBLISH).then().statusCode(409).body("error", containsString("already running"));
        Response done = awaitJob(jobId);
        done.then().body("state", equalTo("SUCCEEDED")).body("publishedImages", equalTo(70_000))
                .body("totalBatches", equalTo(275)).body("origin", equalTo("configured"))
                .body("options.skipPublished", equalTo(true)).body("skippedImages", equalTo(0))
                .body("skippedBatches", equalTo(0)).body("alreadyPublished", equalTo(false));
        String datasetId = done.path("datasetId");
        long train1 = topics.end(Topics.TRAIN);
        long test1 = topics.end(Topics.TEST);
        assertEquals(235, train1 - train0);
        assertEquals(40, test1 - test0);

        List<ConsumerRecord<String, byte[]>> train = topics.read(Topics.TRAIN, train0, train1);
        List<ConsumerRecord<String, byte[]>> test = topics.read(Topics.TEST, test0, test1);
        int[] trainCounts = checkSplit(train, datasetId, Split.TRAIN, 235);
        int[] testCounts = checkSplit(test, datasetId, Split.TEST, 40);
        assertEquals(60_000, Arrays.stream(trainCounts).sum());
        assertEquals(10_000, Arrays.stream(testCounts).sum());
        for (int c = 0; c < 10; c++) {
            assertEquals(6_000, trainCounts[c], "train class " + c);
            assertEquals(1_000, testCounts[c], "test class " + c);
        }
        ImageBatch first = ImageBatchCodec.decode(train.get(0).value());
        assertArrayEquals(new byte[]{9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, Arrays.copyOf(first.labels(), 10));

        // again with skip-published on (its default): the topics hold every batch, so nothing is sent
        String second = given().post(PUBLISH).then().statusCode(202).extract().path("jobId");
        awaitJob(second).then().body("state", equalTo("SUCCEEDED")).body("datasetId", equalTo(datasetId))
                .body("alreadyPublished", equalTo(true)).body("totalImages", equalTo(70_000))
                .body("publishedImages", equalTo(0)).body("publishedBatches", equalTo(0))
                .body("skippedImages", equalTo(70_000)).body("skippedBatches", equalTo(275))
                .body("result.trainBatches", equalTo(0)).body("error", nullValue());
        assertEquals(train1, topics.end(Topics.TRAIN), "nothing may be sent when the topics hold every batch");
        assertEquals(test1, topics.end(Topics.TEST));
        assertEquals(1.0, metric("fmnist_ingest_publish_progress"), "skipped batches count as done");

        // force=true: everything again, same dataset id, keys and batch ids, in the same order
        given().queryParam("force", "maybe").post(PUBLISH).then().statusCode(400).body("error", containsString("force"));
        String third = given().queryParam("force", true).post(PUBLISH).then().statusCode(202).extract().path("jobId");
        awaitJob(third).then().body("state", equalTo("SUCCEEDED")).body("datasetId", equalTo(datasetId))
                .body("options.skipPublished", equalTo(false)).body("publishedImages", equalTo(70_000))
                .body("skippedImages", equalTo(0)).body("alreadyPublished", equalTo(false));
        List<ConsumerRecord<String, byte[]>> train2 = topics.read(Topics.TRAIN, train1, topics.end(Topics.TRAIN));
        List<ConsumerRecord<String, byte[]>> test2 = topics.read(Topics.TEST, test1, topics.end(Topics.TEST));
        assertEquals(keys(train), keys(train2));
        assertEquals(keys(test), keys(test2));
        assertEquals(batchIds(train), batchIds(train2));
        assertEquals(batchIds(test), batchIds(test2));

        assertEquals(120_000, metric("fmnist_ingest_images_published_total{split=\"train\"}") - trainImages0);
        assertEquals(20_000, metric("fmnist_ingest_images_published_total{split=\"test\"}") - testImages0);
        assertEquals(470, metric("fmnist_ingest_batches_published_total{split=\"train\"}") - trainBatches0);
        long trainBytes = train.stream().mapToLong(r -> r.value().length).sum();
        assertEquals(2.0 * trainBytes, metric("fmnist_ingest_bytes_published_total{split=\"train\"}") - trainBytes0);
        assertEquals(3, metric("fmnist_ingest_publish_duration_seconds_count{outcome=\"succeeded\"}") - jobs0);
        assertEquals(60_000, metric("fmnist_ingest_images_skipped_total{split=\"train\"}") - trainSkipped0);
        assertEquals(10_000, metric("fmnist_ingest_images_skipped_total{split=\"test\"}") - testSkipped0);
        assertEquals(235, metric("fmnist_ingest_batches_skipped_total{split=\"train\"}") - trainBatchesSkipped0);
        assertTrue(metric("fmnist_ingest_publish_rate") > 0);
        assertEquals(1.0, metric("fmnist_ingest_publish_progress"));
        assertEquals(0.0, metric("fmnist_ingest_publish_running"));
    }

    @Test
    void aPublicationSendsOnlyTheBatchesMissingFromTheTopics() throws Exception {
        // A subset no other test publishes: 4 train batches (256, 256, 256, 232 images), 2 test (256, 44).
        // Put three of its real batches on the topics first, as a publication stopped half-way would have.
        PublishPlan plan = DatasetPlanner.plan(DatasetPlanner.load(TestFiles.dataDir()), 256, 1_000, 300);
        assertEquals(6, plan.records().size());
        for (int i : new int[]{0, 2, 5}) {
            PublishPlan.Record r = plan.records().get(i);
            producer.send(new ProducerRecord<>(r.topic(), r.batchId(), r.value())).get(10, TimeUnit.SECONDS);
        }
        long train0 = topics.end(Topics.TRAIN);
        long test0 = topics.end(Topics.TEST);

        String jobId = given().queryParam("trainLimit", 1_000).queryParam("testLimit", 300).post(PUBLISH)
                .then().statusCode(202).extract().path("jobId");
        awaitJob(jobId).then().body("state", equalTo("SUCCEEDED")).body("datasetId", equalTo(plan.datasetId()))
                .body("totalImages", equalTo(1_300)).body("totalBatches", equalTo(6))
                .body("skippedBatches", equalTo(3)).body("skippedImages", equalTo(256 + 256 + 44))
                .body("publishedBatches", equalTo(3)).body("publishedImages", equalTo(1_300 - 556))
                .body("alreadyPublished", equalTo(false));
        List<ConsumerRecord<String, byte[]>> train = topics.readFrom(Topics.TRAIN, train0);
        List<ConsumerRecord<String, byte[]>> test = topics.readFrom(Topics.TEST, test0);
        assertEquals(List.of(plan.records().get(1).batchId(), plan.records().get(3).batchId()), keys(train));
        assertEquals(List.of(plan.records().get(4).batchId()), keys(test));
        assertArrayEquals(plan.records().get(3).value(), train.get(1).value());
        assertArrayEquals(plan.records().get(4).value(), test.get(0).value());
    }

    @Test
    void aSubsetHasItsOwnDatasetId() {
        long train0 = topics.end(Topics.TRAIN);
        String jobId = given().queryParam("trainLimit", 600).queryParam("testLimit", 100).post(PUBLISH)
                .then().statusCode(202).extract().path("jobId");
        String datasetId = awaitJob(jobId).then().body("state", equalTo("SUCCEEDED"))
                .body("publishedImages", equalTo(700)).extract().path("datasetId");
        assertTrue(datasetId.matches("fashion-mnist-[0-9a-f]{16}-train600-test100"), datasetId);
        List<ConsumerRecord<String, byte[]>> train = topics.readFrom(Topics.TRAIN, train0);
        assertEquals(3, train.size());
        assertEquals(datasetId + "/train/bs256/000002", train.get(2).key());
        assertEquals(600 - 512, ImageBatchCodec.decode(train.get(2).value()).count());
        given().queryParam("trainLimit", -1).post(PUBLISH).then().statusCode(400)
                .body("error", containsString("train-limit"));
    }

    @Test
    void aCorruptFilePublishesNothing() throws IOException {
        long train0 = topics.end(Topics.TRAIN);
        long test0 = topics.end(Topics.TEST);
        Path dir = tmp.resolve("corrupt");
        TestFiles.linkDataset(dir);
        Path gz = dir.resolve("t10k-images-idx3-ubyte.gz");
        byte[] whole = Files.readAllBytes(TestFiles.dataDir().resolve("t10k-images-idx3-ubyte.gz"));
        Files.delete(gz);
        Files.write(gz, Arrays.copyOf(whole, whole.length - 1000));
        PublishJob job = new PublishJob("corrupt", new DatasetLocator(Optional.of(dir), tmp.resolve("none"),
                tmp.resolve("cache"), Optional.empty()), producer, PublishedBatches.NONE,
                new PublishJob.Options(256, 0, 0, false, Duration.ofSeconds(1)),
                new PublishJob.Listener() {
                    @Override
                    public void batchAcked(Split split, int images, int bytes) {
                    }

                    @Override
                    public void finished(PublishJob j) {
                    }
                }, () -> { });
        job.run();
        assertEquals(PublishStatus.State.FAILED, job.state());
        assertTrue(job.status().error().contains(gz.toString()), job.status().error());
        producer.flush();
        assertEquals(train0, topics.end(Topics.TRAIN), "no train batch may be published");
        assertEquals(test0, topics.end(Topics.TEST));
    }

    @Test
    void anUploadedPngLandsOnTheTrainTopicAsAUserBatch() {
        FashionMnistData.Split testSplit = testSplit();
        byte[] pixels = Arrays.copyOfRange(testSplit.images().pixels(), 0, 784);
        int label = testSplit.label(0);
        byte[] png = ImageConverter.encodePng(pixels);

        Response r = given().contentType("image/png").queryParam("label", "Ankle boot").body(png)
                .post("/api/v1/images").then().statusCode(200)
                .body("count", equalTo(1)).body("topic", equalTo(Topics.TRAIN))
                .body("images[0].label", equalTo(9)).body("images[0].labelName", equalTo("Ankle boot"))
                .extract().response();
        assertEquals(9, label);
        String batchId = r.path("images[0].batchId");
        long offset = ((Number) r.path("images[0].offset")).longValue();
        ConsumerRecord<String, byte[]> record = topics.read(Topics.TRAIN, offset, offset + 1).get(0);
        assertEquals(batchId, record.key());
        ImageBatch batch = ImageBatchCodec.decode(record.value());
        assertEquals(Split.USER, batch.split());
        assertEquals("user", batch.datasetId());
        assertEquals(batchId, batch.batchId());
        assertEquals(1, batch.count());
        assertEquals(9, batch.label(0));
        assertArrayEquals(pixels, batch.pixels());

        // the same image again: same batch id (downstream drops it), next offset
        long again = ((Number) given().contentType("image/png").queryParam("label", "9").body(png)
                .post("/api/v1/images").then().statusCode(200).body("images[0].batchId", equalTo(batchId))
                .extract().path("images[0].offset")).longValue();
        assertTrue(again > offset);

        // multipart form, JPEG photo, inverted, label as a form field
        Response form = given().multiPart("file", "boot.jpg", Images.photo(320, 240, "jpeg"), "image/jpeg")
                .multiPart("label", "Sneaker").multiPart("invert", "true")
                .post("/api/v1/images").then().statusCode(200)
                .body("images[0].source", equalTo("boot.jpg")).body("images[0].label", equalTo(7)).extract().response();
        long formOffset = ((Number) form.path("images[0].offset")).longValue();
        ImageBatch formBatch = ImageBatchCodec.decode(topics.read(Topics.TRAIN, formOffset, formOffset + 1).get(0).value());
        assertEquals(Split.USER, formBatch.split());
        assertEquals(7, formBatch.label(0));
        assertTrue(Byte.toUnsignedInt(formBatch.pixels()[14 * 28 + 14]) > 155, "inverted: the dark object is light");
    }

    @Test
    void aBulkZipIsAllOrNothing() {
        Map<String, byte[]> good = new LinkedHashMap<>();
        good.put("clothes/Trouser/a.png", Images.png28(11));
        good.put("clothes/Trouser/b.png", Images.png28(12));
        good.put("clothes/8/c.jpg", Images.photo(50, 70, "jpeg"));
        long before = topics.end(Topics.TRAIN);
        given().contentType("application/zip").body(TestFiles.zip(good)).post("/api/v1/images/bulk")
                .then().statusCode(200).body("count", equalTo(3)).body("images", hasSize(3))
                .body("images[0].source", equalTo("clothes/Trouser/a.png")).body("images[2].label", equalTo(8));
        List<ConsumerRecord<String, byte[]>> published = topics.readFrom(Topics.TRAIN, before);
        assertEquals(3, published.size());
        assertEquals(List.of(1, 1, 8), published.stream().map(r -> ImageBatchCodec.decode(r.value()).label(0)).toList());

        Map<String, byte[]> bad = new LinkedHashMap<>(good);
        bad.put("clothes/Hat/d.png", Images.png28(13));
        bad.put("clothes/Bag/e.png", "not an image".getBytes());
        long beforeBad = topics.end(Topics.TRAIN);
        given().contentType("application/zip").body(TestFiles.zip(bad)).post("/api/v1/images/bulk")
                .then().statusCode(400).contentType(ContentType.JSON)
                .body("error", containsString("2 of 5 entries")).body("entries", hasSize(2))
                .body("entries[0].entry", equalTo("clothes/Hat/d.png"))
                .body("entries[1].entry", equalTo("clothes/Bag/e.png"));
        assertEquals(beforeBad, topics.end(Topics.TRAIN), "a rejected zip publishes nothing");
    }

    @Test
    void badUploadsGetA4xxWithAReason() {
        long before = topics.end(Topics.TRAIN);
        double unsupported0 = metric("fmnist_ingest_inputs_rejected_total{reason=\"unsupported_type\"}");
        double tooLarge0 = metric("fmnist_ingest_inputs_rejected_total{reason=\"too_large\"}");
        double badImage0 = metric("fmnist_ingest_inputs_rejected_total{reason=\"bad_image\"}");
        double badLabel0 = metric("fmnist_ingest_inputs_rejected_total{reason=\"bad_label\"}");
        given().contentType("image/png").queryParam("label", "7").body("not a png".getBytes())
                .post("/api/v1/images").then().statusCode(400).contentType(ContentType.JSON)
                .body("error", containsString("not a PNG or JPEG"));
        given().contentType("image/png").queryParam("label", "Hat").body(Images.png28(1))
                .post("/api/v1/images").then().statusCode(400).body("error", containsString("unknown label 'Hat'"));
        given().contentType("image/png").body(Images.png28(1))
                .post("/api/v1/images").then().statusCode(400).body("error", containsString("label is missing"));
        given().contentType("text/plain").queryParam("label", "7").body("hello")
                .post("/api/v1/images").then().statusCode(415).contentType(ContentType.JSON)
                .body("error", containsString("image/png"));
        byte[] tooBig = new byte[10 * 1024 * 1024 + 1];
        System.arraycopy(Images.png28(1), 0, tooBig, 0, 100);
        given().contentType("image/jpeg").queryParam("label", "7").body(tooBig)
                .post("/api/v1/images").then().statusCode(413).body("error", containsString("max-bytes"));
        given().multiPart("label", "7").post("/api/v1/images").then().statusCode(400)
                .body("error", containsString("'file'"));
        given().contentType("application/zip").body(Images.png28(1)).post("/api/v1/images/bulk")
                .then().statusCode(400).body("error", containsString("zip"));
        assertEquals(before, topics.end(Topics.TRAIN), "nothing of a bad upload is published");

        assertEquals(1, metric("fmnist_ingest_inputs_rejected_total{reason=\"unsupported_type\"}") - unsupported0);
        assertEquals(1, metric("fmnist_ingest_inputs_rejected_total{reason=\"too_large\"}") - tooLarge0);
        assertEquals(2, metric("fmnist_ingest_inputs_rejected_total{reason=\"bad_image\"}") - badImage0);
        assertEquals(2, metric("fmnist_ingest_inputs_rejected_total{reason=\"bad_label\"}") - badLabel0);
    }

    @Test
    void theCommandLinePublishesAFolder() throws IOException {
        Files.createDirectories(tmp.resolve("imgs/Dress"));
        Files.createDirectories(tmp.resolve("imgs/5"));
        Files.write(tmp.resolve("imgs/Dress/a.png"), Images.png28(21));
        Files.write(tmp.resolve("imgs/5/b.png"), Images.png28(22));
        long before = topics.end(Topics.TRAIN);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = PublishCommand.run(new String[]{tmp.resolve("imgs").toString(), "--bootstrap", bootstrap},
                Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertEquals(0, status, out.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("published 2 images"));
        List<ConsumerRecord<String, byte[]>> published = topics.readFrom(Topics.TRAIN, before);
        assertEquals(List.of(5, 3), published.stream().map(r -> ImageBatchCodec.decode(r.value()).label(0)).toList());
        assertEquals(Split.USER, ImageBatchCodec.decode(published.get(0).value()).split());
    }

    @Test
    void readinessOpenApiAndStatus() {
        await("ready").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> given().get("/q/health/ready").statusCode() == 200);
        given().get("/q/health/ready").then().statusCode(200).body("checks.find { it.name == 'kafka' }.status", equalTo("UP"));
        given().get("/q/openapi").then().statusCode(200)
                .body(containsString("/api/v1/images/bulk")).body(containsString(PUBLISH));
    }

    /** The current value of one Prometheus series, e.g. {@code name{tag="v"}}. */
    private static double metric(String series) {
        String body = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String line : body.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError("no series " + series + " in /q/metrics");
    }

    private Response awaitJob(String jobId) {
        return await("job " + jobId + " finished").atMost(Duration.ofSeconds(120))
                .until(() -> given().get(PUBLISH).then().statusCode(200).body("jobId", equalTo(jobId)).extract().response(),
                        r -> r.path("state").equals("SUCCEEDED") || r.path("state").equals("FAILED"));
    }

    /** Checks order, ids, sequence and totals of one split; returns the images per class. */
    private static int[] checkSplit(List<ConsumerRecord<String, byte[]>> records, String datasetId, Split split, int total) {
        assertEquals(total, records.size());
        int[] counts = new int[10];
        for (int i = 0; i < records.size(); i++) {
            ImageBatch b = ImageBatchCodec.decode(records.get(i).value());
            assertEquals(datasetId, b.datasetId());
            assertEquals(split, b.split());
            assertEquals(i, b.sequence());
            assertEquals(total, b.totalBatches());
            assertEquals(b.batchId(), records.get(i).key());
            assertEquals(String.format("%s/%s/bs256/%06d", datasetId, split.name().toLowerCase(), i), b.batchId());
            for (int j = 0; j < b.count(); j++) {
                counts[b.label(j)]++;
            }
        }
        return counts;
    }

    private static List<String> keys(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(ConsumerRecord::key).toList();
    }

    private static List<String> batchIds(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(r -> ImageBatchCodec.decode(r.value()).batchId()).toList();
    }

    private static FashionMnistData.Split testSplit() {
        Path dir = TestFiles.dataDir();
        return new FashionMnistData.Split(IdxReader.readImages(dir.resolve("t10k-images-idx3-ubyte.gz")),
                IdxReader.readLabels(dir.resolve("t10k-labels-idx1-ubyte.gz")));
    }

    /** Never an HTML page: an unknown path (in JAX-RS or outside it) and a wrong method answer the JSON error body. */
    @Test
    void unknownPathsAndWrongMethodsAnswerTheJsonErrorBody() {
        JsonErrorChecks.unknownPathsAndWrongMethodAnswerJson("PUT", "/api/v1/images");
    }
}
