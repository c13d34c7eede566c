package dev.fmnist.inference.promotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.ModelVerdict;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.inference.config.PromotionConfig.Policy;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.domain.Scorer;
import dev.fmnist.inference.domain.VersionVerdict;
import dev.fmnist.inference.messaging.AlertPublisher;
import dev.fmnist.inference.service.InferenceMetrics;
import dev.fmnist.inference.service.ModelService;
import dev.fmnist.inference.service.ServedModel;
import dev.fmnist.inference.support.SoftmaxFit;
import dev.fmnist.inference.support.TestConfig;
import dev.fmnist.inference.support.TestPromotion;
import dev.fmnist.inference.watch.shadow.ShadowRole;
import dev.fmnist.inference.watch.shadow.ShadowScoring;
import dev.fmnist.support.kafka.KafkaClientFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The promoter's decisions on real models and real test images, without a broker: verdicts are applied to the
 * registry as the follower would once read back. The rollback case is issue 24's: 0.83 replaced by a one-epoch
 * restart (0.79) under latest.
 */
class PromoterTest {
    private static FashionMnistData data;
    private static SoftmaxFit.Fit good;
    private static SoftmaxFit.Fit restarted;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final InferenceMetrics metrics = new InferenceMetrics(registry);
    private final List<ModelVerdict> written = new ArrayList<>();
    private ShadowScoring shadow;
    private AlertPublisher alerts;

    @BeforeAll
    static void fit() {
        data = SoftmaxFit.data();
        good = SoftmaxFit.fit(data, 60_000, 10, 1);
        restarted = SoftmaxFit.fit(data, 60_000, 1, 7);
    }

    @AfterEach
    void close() {
        shadow.stop(null);
        alerts.close();
    }

    private Promoter promoter(ModelService models, TestPromotion config) {
        shadow = new ShadowScoring(models, config, registry);
        shadow.start(null);
        // no broker: alerts are counted and logged, their sends fail on their own thread
        alerts = new AlertPublisher(KafkaClientFactory.forBootstrap("127.0.0.1:1"), new TestConfig(10), metrics);
        VerdictWriter writer = new VerdictWriter(null, null, null, null) {
            @Override
            public boolean caughtUp() {
                return true;
            }

            @Override
            public boolean write(ServedModel model, ModelVerdict verdict) {
                written.add(verdict);
                model.registry().decide(verdict.version(), VersionVerdict.of(verdict));
                return true;
            }
        };
        return new Promoter(models, new PromotionPolicy(config), shadow, writer, alerts, registry);
    }

    private static LoadedModel v(long version, SoftmaxFit.Fit fit) {
        return LoadedModel.of(SoftmaxFit.snapshot("fmnist-softmax", version, fit, Instant.EPOCH), Instant.EPOCH);
    }

    /** Test images from..to-1 answered by the live version (labelled), scored by the baseline, then a look. */
    private void traffic(Promoter promoter, ServedModel model, int from, int to) {
        byte[] px = data.test().images().pixels();
        for (int k = from; k < to; k++) {
            LoadedModel live = model.live();
            int offset = k * FashionMnist.PIXELS;
            shadow.scored(model, live, px, offset, Scorer.argmax(Scorer.score(live, px, offset)), data.test().label(k));
        }
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> shadow.view(model, ShadowRole.BASELINE).requests() >= to);
        promoter.look(model);
    }

    @Test
    void underLatestAOneEpochRestartReplacingABetterVersionIsRolledBackWithin2000LabelledRequests() {
        ModelService models = new ModelService(new TestConfig(10), TestPromotion.policy(Policy.LATEST), metrics);
        ServedModel m = models.defaultModel();
        Promoter promoter = promoter(models, TestPromotion.of(Policy.LATEST));
        m.offer(v(1, good));
        m.offer(v(2, restarted));
        promoter.look(m);
        assertEquals(2, m.live().version());
        int sent = 0;
        while (sent < 2000 && m.live().version() == 2) {
            traffic(promoter, m, sent, sent + 100);
            sent += 100;
        }
        System.out.printf("good %.4f, restarted %.4f: rolled back after %d labelled requests: %s%n",
                good.testAccuracy(), restarted.testAccuracy(), sent, written);
        assertEquals(1, m.live().version(), "rolled back within 2000 labelled requests");
        assertEquals(ModelVerdict.Verdict.ROLL_BACK, written.get(0).verdict());
        assertEquals(2, written.get(0).version());
        assertEquals(1.0, registry.find(InferenceMetrics.ALERTS).tag("kind", "rolled-back").counter().count());
    }
}
