package dev.fmnist.trainer.bench;

import dev.fmnist.trainer.model.Minibatch;
import dev.fmnist.trainer.model.SoftmaxRegression;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Random;

/**
 * Times the model alone (no Kafka): SGD steps on a random 256-image minibatch (filled once: the
 * fill runs on a helper thread in training) and a 10,000-image evaluation. Arguments: {@code [torch-threads] [rounds]}.
 */
public final class StepBench {
    private StepBench() {
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        SoftmaxRegression.configureThreads(threads);
        Random random = new Random(1);
        byte[] raw = new byte[256 * 784];
        random.nextBytes(raw);
        ByteBuffer x = SoftmaxRegression.directBuffer(raw.length).put(raw).flip();
        int[] y = new int[256];
        for (int i = 0; i < y.length; i++) {
            y[i] = random.nextInt(10);
        }
        byte[] testRaw = new byte[10_000 * 784];
        random.nextBytes(testRaw);
        ByteBuffer test = SoftmaxRegression.directBuffer(testRaw.length).put(testRaw).flip();
        byte[] testLabels = new byte[10_000];
        try (Minibatch batch = new Minibatch(256, 784);
             SoftmaxRegression model = SoftmaxRegression.initialize(784, 10, 0)) {
            batch.fill(x, y, 256);
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                for (int s = 0; s < 235; s++) {
                    model.step(batch, 0.1f);
                }
                long t1 = System.nanoTime();
                model.countCorrectPixels(test, testLabels, 10_000, 1_000);
                long t2 = System.nanoTime();
                System.out.printf(Locale.ROOT, "threads %s: 235 steps %.3f s (%.2f ms/step), eval 10k %.3f s%n",
                        threads > 0 ? threads : "default", (t1 - t0) / 1e9, (t1 - t0) / 235e6, (t2 - t1) / 1e9);
            }
        }
    }
}
