package dev.fmnist.contracts.image;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import javax.imageio.ImageIO;

/**
 * What refusing the bomb costs: the ImageDecoder path (header, size check, refusal) against
 * what the old converter did with it (its 40 M pixel check let 6324x6324 through, so ImageIO
 * allocated the 320 MB raster and inflated until the data ran out). Run by contracts/bench/decode-bench.sh
 * with a heap large enough for the old path.
 */
public final class DecodeBench {
    private DecodeBench() {
    }

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        byte[] bomb = CraftedImages.pngBomb();
        byte[] jpegBomb = CraftedImages.jpegBomb(65_000, 65_000);
        ImageDecoder decoder = new ImageDecoder(128L << 20, DecodeBudget.ofHeap(0.25), Duration.ofMillis(200));
        System.out.printf("new path, PNG bomb (61 bytes, 6324x6324 RGBA16): %.2f us per refusal%n",
                refuse(decoder, bomb, iterations) / 1e3);
        System.out.printf("new path, JPEG bomb (65000x65000 SOF0):          %.2f us per refusal%n",
                refuse(decoder, jpegBomb, iterations) / 1e3);
        int oldRuns = 3;
        long total = 0;
        for (int i = 0; i < oldRuns; i++) {
            long t0 = System.nanoTime();
            try {
                ImageIO.read(new ByteArrayInputStream(bomb));
            } catch (Exception expected) {
                // ends in an error once the 4 bytes of data run out: the old path's 400
            }
            total += System.nanoTime() - t0;
        }
        System.out.printf("old path (ImageIO decode after the pixel check): %.1f ms per bomb (%d runs)%n",
                total / 1e6 / oldRuns, oldRuns);
    }

    private static double refuse(ImageDecoder decoder, byte[] image, int iterations) {
        for (int i = 0; i < iterations / 10; i++) {
            once(decoder, image); // warm-up
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            once(decoder, image);
        }
        return (double) (System.nanoTime() - t0) / iterations;
    }

    private static void once(ImageDecoder decoder, byte[] image) {
        try {
            decoder.toFashionMnist(image, false);
            throw new IllegalStateException("bomb accepted");
        } catch (ImageFormatException e) {
            if (!e.tooLarge()) {
                throw new IllegalStateException("bomb not refused as too large: " + e.getMessage());
            }
        }
    }
}
