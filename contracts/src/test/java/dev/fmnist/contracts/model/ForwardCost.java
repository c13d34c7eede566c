package dev.fmnist.contracts.model;

import java.util.Random;

/**
 * What one forward pass of each family costs on one thread: the figure behind inference's rule of which
 * family is scored on the HTTP event loop ({@code ScoringThreads}). Warmed up first (C2), then timed over
 * many images; prints nanoseconds per image and images per second. A shared machine makes the absolute
 * figures noisy; the ratio between families is what the rule rests on.
 * <pre>mvn -o -q -pl contracts test-compile &amp;&amp; java -cp contracts/target/classes:contracts/target/test-classes \
 *     dev.fmnist.contracts.model.ForwardCost [seconds per family]</pre>
 */
public final class ForwardCost {
    private ForwardCost() {
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        Random r = new Random(7);
        byte[][] images = new byte[256][];
        for (int i = 0; i < images.length; i++) {
            images[i] = Networks.image(r);
        }
        for (ModelFamily family : ModelFamily.values()) {
            Forward forward = Forward.of(Networks.random(family.architecture(), 42));
            run(forward, images, (long) (seconds / 3 * 1e9)); // warm-up
            long[] done = run(forward, images, (long) (seconds * 1e9));
            double ns = (double) done[1] / done[0];
            System.out.printf("%-8s %10.1f us per image  %10.0f images/s  (checksum %d)%n", family.id(), ns / 1e3,
                    1e9 / ns, done[2]);
        }
    }

    /** {images scored, nanoseconds, a checksum of the answers so the work cannot be elided}. */
    private static long[] run(Forward forward, byte[][] images, long budgetNanos) {
        long start = System.nanoTime();
        long n = 0;
        long sum = 0;
        long elapsed;
        do {
            for (int i = 0; i < images.length; i++) {
                sum += Forward.argmax(forward.probabilities(images[i], 0));
            }
            n += images.length;
            elapsed = System.nanoTime() - start;
        } while (elapsed < budgetNanos);
        return new long[] {n, elapsed, sum};
    }
}
