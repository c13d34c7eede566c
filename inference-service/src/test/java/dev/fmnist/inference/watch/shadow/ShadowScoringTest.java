package dev.fmnist.inference.watch.shadow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.inference.config.PromotionConfig;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.service.InferenceMetrics;
import dev.fmnist.inference.service.ModelService;
import dev.fmnist.inference.service.ServedModel;
import dev.fmnist.inference.support.SoftmaxFit;
import dev.fmnist.inference.support.TestConfig;
import dev.fmnist.inference.support.TestPromotion;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ShadowScoringTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ModelService models = new ModelService(new TestConfig(10), TestPromotion.latest(),
            new InferenceMetrics(registry));
    private final ServedModel softmax = models.defaultModel();
    private ShadowScoring shadow;

    private static LoadedModel v(long version) {
        return LoadedModel.of(SoftmaxFit.snapshot("fmnist-softmax", version, SoftmaxFit.random(version, 0.05),
                Instant.EPOCH), Instant.EPOCH);
    }

    private ShadowScoring shadow(int queue) {
        return shadow(queue, 1);
    }

    private ShadowScoring shadow(int queue, int unlabelledEvery) {
        shadow = new ShadowScoring(models, new TestPromotion(PromotionConfig.Policy.GATED, 0.005, 0.5, 500,
                Duration.ofMinutes(2), 200, queue, unlabelledEvery), registry);
        return shadow;
    }

    @Test
    void everyLabelledRequestIsShadowedAndOneInNUnlabelledOnes() {
        ShadowScoring s = shadow(4096, 4);
        s.start(null);
        LoadedModel live = v(1);
        s.target(softmax, live, v(2), null);
        byte[] image = new byte[FashionMnist.PIXELS];
        for (int i = 0; i < 100; i++) {
            s.scored(softmax, live, image, 0, 3, null);
        }
        for (int i = 0; i < 10; i++) {
            s.scored(softmax, live, image, 0, 3, 3);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> counter(ShadowScoring.REQUESTS, "candidate") == 35);
        assertEquals(10, s.view(softmax, ShadowRole.CANDIDATE).labelled(), "every labelled request is paired");
        assertEquals(0, counter(ShadowScoring.DROPPED, null));
    }

    @Test
    void aBaselineAloneIsShownTheLabelledRequestsOnlyAndCostsNothingWithoutThem() {
        ShadowScoring s = shadow(2); // its thread is not started: what is offered stays in the queue of 2
        LoadedModel live = v(2);
        s.target(softmax, live, null, v(1));
        byte[] image = new byte[FashionMnist.PIXELS];
        for (int i = 0; i < 1000; i++) {
            s.scored(softmax, live, image, 0, 3, null);
        }
        assertEquals(0, counter(ShadowScoring.DROPPED, null), "no unlabelled request is even offered");
        for (int i = 0; i < 3; i++) {
            s.scored(softmax, live, image, 0, 3, 3);
        }
        assertEquals(1, counter(ShadowScoring.DROPPED, null), "every labelled one is");
    }

    @Test
    void withACandidateAndABaselineTheBaselineIsPairedOnTheLabelledRequestsOnly() {
        ShadowScoring s = shadow(4096, 1);
        s.start(null);
        LoadedModel live = v(2);
        s.target(softmax, live, v(3), v(1));
        byte[] image = new byte[FashionMnist.PIXELS];
        for (int i = 0; i < 20; i++) {
            s.scored(softmax, live, image, 0, 3, i % 4 == 0 ? 3 : null);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> counter(ShadowScoring.REQUESTS, "candidate") == 20);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> counter(ShadowScoring.REQUESTS, "baseline") == 5);
        assertEquals(5, s.view(softmax, ShadowRole.BASELINE).requests());
        assertEquals(5, s.view(softmax, ShadowRole.BASELINE).labelled());
    }

    @AfterEach
    void stop() {
        if (shadow != null) {
            shadow.stop(null);
        }
    }

    private double counter(String name, String role) {
        var search = registry.find(name).tag("model", "fmnist-softmax");
        return (role == null ? search : search.tag("role", role)).counter().count();
    }

    @Test
    void everyMeterIsThereFromTheStartAndNothingIsCopiedWithoutATarget() {
        ShadowScoring s = shadow(1);
        for (ShadowRole role : ShadowRole.values()) {
            assertEquals(0, registry.find(ShadowScoring.VERSION).tag("role", role.tag()).gauge().value());
            assertTrue(Double.isNaN(registry.find(ShadowScoring.AGREEMENT).tag("role", role.tag()).gauge().value()));
            assertEquals(0, counter(ShadowScoring.REQUESTS, role.tag()));
        }
        byte[] image = new byte[FashionMnist.PIXELS];
        for (int i = 0; i < 10; i++) {
            s.scored(softmax, v(1), image, 0, 3, 3);
        }
        assertEquals(0, counter(ShadowScoring.DROPPED, null), "no target: not even offered to the queue");
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() {
        ShadowScoring s = shadow(2); // its thread is not started: nothing leaves the queue
        LoadedModel live = v(1);
        s.target(softmax, live, v(2), null);
        byte[] image = new byte[FashionMnist.PIXELS];
        for (int i = 0; i < 5; i++) {
            s.scored(softmax, live, image, 0, 3, null);
        }
        assertEquals(3, counter(ShadowScoring.DROPPED, null));
    }

    @Test
    void theCandidateIsComparedWithWhatTheLiveVersionAnsweredOnTheSameRequests() {
        ShadowScoring s = shadow(4096);
        s.start(null);
        LoadedModel live = v(1);
        LoadedModel candidate = v(2);
        s.target(softmax, live, candidate, null);
        var data = SoftmaxFit.data();
        byte[] px = data.test().images().pixels();
        int n = 300;
        int agree = 0;
        int candidateRight = 0;
        int liveRight = 0;
        for (int k = 0; k < n; k++) {
            int offset = k * FashionMnist.PIXELS;
            int liveAnswer = dev.fmnist.inference.domain.Scorer.argmax(live.forward().probabilities(px, offset));
            int candidateAnswer = dev.fmnist.inference.domain.Scorer.argmax(candidate.forward().probabilities(px, offset));
            int label = data.test().label(k);
            agree += liveAnswer == candidateAnswer ? 1 : 0;
            candidateRight += candidateAnswer == label ? 1 : 0;
            liveRight += liveAnswer == label ? 1 : 0;
            // labelled on even requests only
            s.scored(softmax, live, px, offset, liveAnswer, k % 2 == 0 ? label : null);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> counter(ShadowScoring.REQUESTS, "candidate") == n);
        PairedStats.View view = s.view(softmax, ShadowRole.CANDIDATE);
        assertEquals(n, view.requests());
        assertEquals((double) agree / n, view.agreement(), 1e-12);
        assertEquals(n / 2, view.labelled());
        assertEquals(n, java.util.Arrays.stream(view.classes()).sum());
        assertTrue(view.shadowCorrect() <= candidateRight && view.liveCorrect() <= liveRight);
        assertEquals(view.onlyShadowRight() - view.onlyLiveRight(), view.shadowCorrect() - view.liveCorrect(),
                "discordant pairs make the whole difference");
        assertEquals(ShadowRole.CANDIDATE, s.roleOf(softmax, 2));
        assertNull(s.roleOf(softmax, 1));
        assertEquals(2, registry.find(ShadowScoring.VERSION).tag("role", "candidate").gauge().value());
        // a request answered by a version that is not the live one pairs with nothing
        s.scored(softmax, v(7), px, 0, 0, 0);
        Awaitility.await().during(Duration.ofMillis(300)).until(() -> counter(ShadowScoring.REQUESTS, "candidate") == n);
    }
}
