package dev.fmnist.inference.watch.drift;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.domain.Scorer;
import dev.fmnist.inference.service.InferenceMetrics;
import dev.fmnist.inference.service.ModelService;
import dev.fmnist.inference.service.ServedModel;
import dev.fmnist.inference.support.SoftmaxFit;
import dev.fmnist.inference.support.TestConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What drift watching costs a request, in-process (the HTTP benchmark is too noisy on a shared machine to see a
 * few hundred nanoseconds): CPU ns per image for the features alone, for the whole observer on 1 and 2 threads
 * (one model, so the threads share its window lock), and for softmax scoring beside it.
 *   java -cp inference-service/target/test-classes:inference-service/target/classes:$(cat cp.txt) \
 *     dev.fmnist.inference.watch.drift.DriftCostBench [DATA_DIR]
 */
public final class DriftCostBench {
    private DriftCostBench() {
    }

    public static void main(String[] args) throws Exception {
        FashionMnistData data = FashionMnistData.load(Path.of(args.length > 0 ? args[0] : "../shared/data/fashion-mnist"));
        byte[] images = data.test().images().pixels();
        int n = data.test().count();
        ModelService models = new ModelService(new TestConfig(10), dev.fmnist.inference.support.TestPromotion.latest(), new InferenceMetrics(new SimpleMeterRegistry()));
        ServedModel softmax = models.defaultModel();
        LoadedModel live = LoadedModel.of(SoftmaxFit.snapshot(softmax.name(), 1, SoftmaxFit.random(1, 0.05),
                Instant.EPOCH), Instant.EPOCH);
        softmax.offer(live);
        DriftWatch watch = new DriftWatch(TestDriftConfig.defaults(), DriftReference.shipped(), models.served(),
                new SimpleMeterRegistry(), (m, v, r, f) -> { }, Clock.systemUTC());
        byte[] one = new byte[FashionMnist.PIXELS];
        for (int round = 0; round < 3; round++) {
            int calls = 2_000_000;
            double sink = 0;
            long t0 = cpu();
            for (int i = 0; i < calls; i++) {
                sink += ImageFeature.measure(images, (i % n) * FashionMnist.PIXELS)[0];
            }
            long t1 = cpu();
            for (int i = 0; i < calls; i++) {
                watch.scored(softmax, live, images, (i % n) * FashionMnist.PIXELS, i % 10, null);
            }
            long t2 = cpu();
            for (int i = 0; i < calls; i++) {
                System.arraycopy(images, (i % n) * FashionMnist.PIXELS, one, 0, one.length);
                sink += Scorer.score(live, one)[0];
            }
            long t3 = cpu();
            double two = twoThreads(calls, (i, offset) -> watch.scored(softmax, live, images,
                    ((i + offset) % n) * FashionMnist.PIXELS, i % 10, null));
            double twoFeatures = twoThreads(calls, (i, offset) -> ImageFeature.measure(images,
                    ((i + offset) % n) * FashionMnist.PIXELS));
            System.out.printf("round %d: features %.0f ns, observer %.0f ns, softmax scoring %.0f ns per image;"
                            + " 2 threads at once (CPU per image): features %.0f ns, observer on one window %.0f ns (%s)%n",
                    round, (t1 - t0) / (double) calls, (t2 - t1) / (double) calls, (t3 - t2) / (double) calls,
                    twoFeatures, two, sink > 0 ? "ok" : "?");
        }
    }

    /** CPU time of this thread: on a machine shared with other work, wall time would measure the others too. */
    private static long cpu() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    /** What one thread does with image {@code i} (its images start at {@code offset}). */
    private interface Work {
        void run(int i, int offset);
    }

    /** CPU time per call of two threads doing {@code work} at once, half of the calls each (summed). */
    private static double twoThreads(int calls, Work work) throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        AtomicLong used = new AtomicLong();
        Thread[] threads = new Thread[2];
        for (int t = 0; t < threads.length; t++) {
            int offset = t * 5000;
            threads[t] = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                long c0 = cpu();
                for (int i = 0; i < calls / 2; i++) {
                    work.run(i, offset);
                }
                used.addAndGet(cpu() - c0);
            });
            threads[t].start();
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        return used.get() / (double) calls;
    }
}
