package dev.fmnist.inference.drill;

import static dev.fmnist.inference.it.PromotionFixture.MODEL;
import static dev.fmnist.inference.it.PromotionFixture.TIMEOUT;
import static dev.fmnist.inference.it.PromotionFixture.await;
import static dev.fmnist.inference.it.PromotionFixture.live;
import static dev.fmnist.inference.it.PromotionFixture.metric;
import static dev.fmnist.inference.it.PromotionFixture.state;
import static dev.fmnist.inference.it.PromotionFixture.versions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.KafkaCluster;
import dev.fmnist.broker.testing.KafkaTestResource;
import dev.fmnist.contracts.Alert;
import dev.fmnist.contracts.AlertCodec;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.ModelControlCodec;
import dev.fmnist.contracts.ModelVerdict;
import dev.fmnist.contracts.SnapshotSigning;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.inference.it.PromotionFixture;
import dev.fmnist.inference.support.SoftmaxFit;
import dev.fmnist.inference.support.TestSigning;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

/**
 * Promotion, verdicts and alerts through a 45 s broker outage (the only broker of a one-node in-JVM KRaft cluster,
 * stopped and started again on the same ports and data, {@code KafkaTestResource} with {@code brokers=1}). v1 serves;
 * v2 (better) is a candidate when the broker goes away. During the outage REST traffic goes on (ordinary images at
 * a steady pace, 1,100 dark-on-light ones that start a drift episode, 250 labelled ones that give v2's shadow gate
 * what it needs): every request is answered by v1, the drift alert and v2's promotion are decided but cannot be
 * written, so they wait (the alert in its producer, the verdict retried at each look). After the broker returns,
 * v2 is promoted exactly once (one promote verdict under its key on fmnist.model-control, one promoted alert on
 * fmnist.alerts), every alert raised is on the topic exactly once, and a v3 published after the recovery is judged
 * and promoted exactly once too. Readiness and liveness answer UP throughout, and nothing is logged at ERROR or with
 * a stack trace. Prints sent / answered / failed, health checks, verdicts and alerts. Runs in the {@code drills}
 * profile ({@code mvn verify -Pdrills -pl inference-service -am}), about a minute and a half on a quiet machine.
 * {@code -Dfmnist.test.outage-seconds=80} makes the outage longer than the producers' 60 s {@code max.block.ms}:
 * what lost the drift alerts raised at its start before {@code AlertPublisher} sent them again.
 *
 * <p>A candidate published <em>during</em> the outage is not a case of its own: the trainer cannot write to a broker
 * that is away, it waits and publishes after the recovery, which is v3 here.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, initArgs = @ResourceArg(name = KafkaTestResource.BROKERS, value = "1"))
@TestProfile(PromotionOutageDrillIT.Profile.class)
class PromotionOutageDrillIT {
    static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("fmnist.test.outage-seconds", 45));
    private static final int DRIFTING = 1_100;
    private static final int LABELLED = 250;
    private static final Pattern VERSION = Pattern.compile("\"modelVersion\"\\s*:\\s*(\\d+)");

    /** The test's Kafka client and the broker, injected by KafkaTestResource. */
    KafkaCompanion kafka;
    KafkaCluster broker;

    @TestHTTPResource("/api/v1/classify")
    URI classifyUri;
    @TestHTTPResource("/q/health/ready")
    URI readyUri;
    @TestHTTPResource("/q/health/live")
    URI liveUri;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** From the broker's stop to its start again. */
    private volatile boolean brokerDown;

    /**
     * Gated; the shadow gate decides on 200 labelled requests, and max-wait is longer than the drill so that it is
     * the one that decides v2 (during the outage) and v3.
     */
    public static class Profile extends PromotionFixture.Profile {
        @Override
        protected Map<String, String> promotion() {
            return Map.of("fmnist.inference.promotion.policy", "gated",
                    "fmnist.inference.promotion.shadow.min-labelled", "200",
                    "fmnist.inference.promotion.shadow.max-wait", "PT5M",
                    "fmnist.inference.replica-name", "outage-drill");
        }
    }

    @Test
    void decisionsTakenDuringABrokerOutageAreWrittenOnceWhenItReturnsAndRequestsAreAnsweredThroughout()
            throws Exception {
        LogWatch logs = LogWatch.install();
        PromotionFixture promotion = new PromotionFixture(kafka);
        FashionMnistData data = SoftmaxFit.data();
        SoftmaxFit.Fit first = SoftmaxFit.fit(data, 10_000, 1, 1);
        SoftmaxFit.Fit better = SoftmaxFit.fit(data, 60_000, 2, 1);
        SoftmaxFit.Fit best = SoftmaxFit.fit(data, 60_000, 3, 2);
        byte[] test = data.test().images().pixels();
        Traffic traffic = new Traffic(data);
        Health health = new Health();
        try {
            promotion.publish(1, first);
            await("v1 serves", () -> live() == 1);
            promotion.alert(Alert.Kind.PROMOTED, 1);
            health.start();
            traffic.start(test);
            // labelled traffic before v2: the promoter then waits for v2's shadow gate instead of promoting it at once
            traffic.labelled(0, 20, 1);
            promotion.publish(2, better);
            await("v2 is a candidate", () -> "candidate".equals(state(2)));

            broker.stop(1);
            brokerDown = true;
            long down = System.nanoTime();
            System.out.printf("outage: broker stopped; %s%n", traffic);
            for (int k = 0; k < DRIFTING; k++) {
                traffic.inverted(1_000 + k);
            }
            for (int k = 0; k < LABELLED; k += 25) {
                traffic.labelled(3_000 + k, 25, 1);
            }
            await("v2 shadowed on " + LABELLED + " labelled requests", () -> versions()
                    .getInt("versions.find { it.version == 2 }.shadow.labelled") >= 200);
            double driftRaised = metric("fmnist_inference_alerts_total", "kind=\"drift\"");
            assertTrue(driftRaised >= 1, "a drift episode started during the outage");
            assertEquals(1, live(), "v1 serves while v2's verdict cannot be written");
            assertEquals("candidate", state(2), "pending: no verdict in force without the broker");
            assertEquals(1, metric("fmnist_inference_promotion_candidates", "model=\"" + MODEL + "\""));
            long left = OUTAGE.toNanos() - (System.nanoTime() - down);
            assertTrue(left > 0, "the outage phase took longer than the outage: " + (System.nanoTime() - down) / 1e9);
            Thread.sleep(left / 1_000_000); // the rest of the outage: the point of the drill
            int attempts = logs.count("could not write the verdict PROMOTE on " + MODEL + " v2");
            System.out.printf("outage: %.1f s; %s; v2 verdict write attempts during it %d, drift alerts raised %.0f%n",
                    (System.nanoTime() - down) / 1e9, traffic, attempts, driftRaised);
            assertTrue(attempts >= 1, "the promoter tried to write v2's verdict during the outage");

            broker.start(1);
            brokerDown = false;
            long up = System.nanoTime();
            await("v2 promoted after the broker returned", () -> live() == 2);
            double promotedAfter = (System.nanoTime() - up) / 1e9;
            Alert promoted2 = promotion.alert(Alert.Kind.PROMOTED, 2);
            assertTrue(promoted2.reason().startsWith("shadow gate"), promoted2.reason());
            System.out.printf("broker back: v2 served %.1f s later (%s)%n", promotedAfter, promoted2.reason());

            // a candidate published after the recovery: judged and promoted once, as ever
            promotion.publish(3, best);
            await("v3 is a candidate", () -> "candidate".equals(state(3)));
            for (int k = 0; k < LABELLED; k += 25) {
                traffic.labelled(5_000 + k, 25, -1); // v2, or v3 once its gate has passed (at 200)
            }
            await("v3 serves", () -> live() == 3);
            assertTrue(promotion.alert(Alert.Kind.PROMOTED, 3).reason().startsWith("shadow gate"));
        } finally {
            traffic.stop();
            health.stop();
            logs.uninstall();
        }

        // verdicts: one per version, each a promote; no conflicting (or repeated) decision
        Map<String, List<ModelVerdict.Verdict>> verdicts = new TreeMap<>();
        SnapshotSigning control = SnapshotSigning.signer(TestSigning.CONTROL_KEY, null);
        for (ConsumerRecord<byte[], byte[]> r : promotion.all(Topics.MODEL_CONTROL)) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            if (ModelVerdict.parseKey(key).isPresent()) {
                verdicts.computeIfAbsent(key, k -> new java.util.ArrayList<>())
                        .add(ModelControlCodec.decodeVerdict(r.value(), control).verdict());
            }
        }
        // alerts: every one this replica raised is on the topic once (the counter counts the raised ones)
        Map<String, Long> written = promotion.all(Topics.ALERTS).stream().map(r -> AlertCodec.decode(r.value(), TestSigning.CONTROL_PUBLIC))
                .collect(Collectors.groupingBy(a -> a.kind().wire() + versionsOf(a), TreeMap::new, Collectors.counting()));
        Map<Alert.Kind, Long> writtenByKind = promotion.all(Topics.ALERTS).stream()
                .map(r -> AlertCodec.decode(r.value(), TestSigning.CONTROL_PUBLIC).kind())
                .collect(Collectors.groupingBy(k -> k, TreeMap::new, Collectors.counting()));
        Map<Alert.Kind, Long> raised = new TreeMap<>();
        for (Alert.Kind kind : Alert.Kind.values()) {
            raised.put(kind, (long) metric("fmnist_inference_alerts_total", "kind=\"" + kind.wire() + "\""));
        }
        System.out.printf("requests: %s%nhealth: %s%nverdicts: %s%nalerts written: %s; raised: %s%n", traffic, health,
                verdicts, written, raised);
        List<String> problems = logs.problems();
        problems.forEach(p -> System.out.println("logged: " + p));

        assertEquals(0, traffic.failed.get(), "every request answered: " + traffic.failures);
        assertEquals(traffic.sent.get(), traffic.answered.get());
        assertEquals(0, traffic.wrongVersion.get(), "answered by the live version: " + traffic.failures);
        assertTrue(traffic.duringOutage.get() >= DRIFTING + LABELLED / 25, traffic.toString());
        assertEquals(0, health.failed.get(), "ready and live throughout: " + health.failures);
        assertTrue(health.checks.get() > 100, health.toString());
        assertEquals(Map.of(ModelVerdict.key(MODEL, 1), List.of(ModelVerdict.Verdict.PROMOTE),
                ModelVerdict.key(MODEL, 2), List.of(ModelVerdict.Verdict.PROMOTE),
                ModelVerdict.key(MODEL, 3), List.of(ModelVerdict.Verdict.PROMOTE)), verdicts);
        assertEquals(1L, written.get("promoted{candidate=2, previous=1}"), written.toString());
        assertEquals(1L, written.get("promoted{candidate=3, previous=2}"), written.toString());
        assertTrue(raised.get(Alert.Kind.DRIFT) >= 1, raised.toString());
        for (Alert.Kind kind : Alert.Kind.values()) {
            assertEquals(raised.get(kind), writtenByKind.getOrDefault(kind, 0L), kind + ": raised " + raised
                    + ", written " + writtenByKind);
        }
        assertEquals(List.of(), problems, "nothing logged at ERROR or with a stack trace");
    }

    private static String versionsOf(Alert a) {
        return new TreeMap<>(a.versions()).toString();
    }

    /** REST requests from the test: counted, each answer's modelVersion checked against the version expected live. */
    final class Traffic {
        final FashionMnistData data;
        final AtomicLong sent = new AtomicLong();
        final AtomicLong answered = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong wrongVersion = new AtomicLong();
        final AtomicLong duringOutage = new AtomicLong();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final AtomicBoolean running = new AtomicBoolean();
        CompletableFuture<Void> steady;

        Traffic(FashionMnistData data) {
            this.data = data;
        }

        /** Ordinary test images, one every 20 ms, on a thread of their own until {@link #stop}. */
        void start(byte[] test) {
            running.set(true);
            steady = CompletableFuture.runAsync(() -> {
                for (int k = 0; running.get(); k = (k + 1) % 10_000) {
                    send(Arrays.copyOfRange(test, k * FashionMnist.PIXELS, (k + 1) * FashionMnist.PIXELS),
                            "application/octet-stream", -1);
                    sleep(20);
                }
            });
        }

        void stop() throws Exception {
            running.set(false);
            if (steady != null) {
                steady.get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        }

        /** Test image {@code k} dark-on-light (a photo sent without {@code invert=true}). */
        void inverted(int k) {
            byte[] px = Arrays.copyOfRange(data.test().images().pixels(), k * FashionMnist.PIXELS,
                    (k + 1) * FashionMnist.PIXELS);
            for (int j = 0; j < px.length; j++) {
                px[j] = (byte) (255 - (px[j] & 0xFF));
            }
            send(px, "application/octet-stream", 1);
        }

        /** Labelled test images in one JSON batch, answered by {@code expected}. */
        void labelled(int from, int count, long expected) {
            send(PromotionFixture.labelledJson(data, from, count).getBytes(StandardCharsets.UTF_8), "application/json",
                    expected);
        }

        /** One request; {@code expected} -1: whichever version is live (the steady stream spans the promotions). */
        private void send(byte[] body, String type, long expected) {
            sent.incrementAndGet();
            boolean outage = brokerDown;
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(classifyUri).header("Content-Type", type)
                        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    failed.incrementAndGet();
                    failures.add(r.statusCode() + " " + r.body());
                    return;
                }
                answered.incrementAndGet();
                if (outage) {
                    duringOutage.incrementAndGet();
                }
                Matcher m = VERSION.matcher(r.body());
                long version = m.find() ? Long.parseLong(m.group(1)) : -1;
                if (version < 1 || expected > 0 && version != expected) {
                    wrongVersion.incrementAndGet();
                    failures.add("answered by v" + version + ", expected v" + expected);
                }
            } catch (IOException | InterruptedException e) {
                failed.incrementAndGet();
                failures.add(e.toString());
            }
        }

        @Override
        public String toString() {
            return String.format("sent %d, answered %d, failed %d (answered during the outage %d)", sent.get(),
                    answered.get(), failed.get(), duringOutage.get());
        }
    }

    /** Polls readiness and liveness every 200 ms from the first request to the end. */
    final class Health {
        final AtomicLong checks = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final AtomicBoolean running = new AtomicBoolean();
        CompletableFuture<Void> poller;

        void start() {
            running.set(true);
            poller = CompletableFuture.runAsync(() -> {
                while (running.get()) {
                    check(readyUri);
                    check(liveUri);
                    sleep(200);
                }
            });
        }

        void stop() throws Exception {
            running.set(false);
            if (poller != null) {
                poller.get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        }

        private void check(URI uri) {
            checks.incrementAndGet();
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    failed.incrementAndGet();
                    failures.add(uri.getPath() + " " + r.statusCode() + " " + r.body());
                }
            } catch (IOException | InterruptedException e) {
                failed.incrementAndGet();
                failures.add(uri.getPath() + " " + e);
            }
        }

        @Override
        public String toString() {
            return String.format("%d checks of ready and live, %d not UP", checks.get(), failed.get());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The service's log as the test sees it (the root logger of the JBoss log manager the tests run with): what was
     * logged at ERROR or with a stack trace, and how often a message was logged.
     */
    static final class LogWatch extends Handler {
        private final ConcurrentLinkedQueue<LogRecord> records = new ConcurrentLinkedQueue<>();

        static LogWatch install() {
            LogWatch w = new LogWatch();
            w.setLevel(Level.ALL);
            Logger.getLogger("").addHandler(w);
            return w;
        }

        void uninstall() {
            Logger.getLogger("").removeHandler(this);
        }

        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.INFO.intValue()) {
                records.add(r);
            }
        }

        int count(String start) {
            return (int) records.stream().filter(r -> message(r).startsWith(start)).count();
        }

        List<String> problems() {
            return records.stream().filter(r -> r.getLevel().intValue() >= Level.SEVERE.intValue() || r.getThrown() != null)
                    .map(r -> r.getLevel() + " " + r.getLoggerName() + ": " + message(r)
                            + (r.getThrown() == null ? "" : " (" + r.getThrown() + ")"))
                    .toList();
        }

        private static String message(LogRecord r) {
            String m = r instanceof ExtLogRecord e ? e.getFormattedMessage() : r.getMessage();
            return m == null ? "" : m;
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
