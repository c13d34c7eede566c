package dev.fmnist.contracts.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;

/**
 * Run in a child JVM with a small heap by {@link DecodeUnderSmallHeapTest}: concurrent bombs and
 * concurrent legal large images. Modes: {@code budget} (ImageDecoder with a shared budget; prints
 * the outcomes), {@code unbounded} (the same legal images with no budget, as before), {@code
 * imageio-bombs} (the bombs handed straight to ImageIO, as the old converter did after its pixel check).
 */
public final class DecodeStress {
    static final int THREADS = 8;
    static final int ROUNDS = 2;
    static final int SIDE = 3000; // 9 M pixels x (3 + 4) bytes = 63 MB to decode

    private DecodeStress() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        byte[] bomb = CraftedImages.pngBomb();
        byte[] large = largePng();
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger tooLarge = new AtomicInteger();
        AtomicInteger busy = new AtomicInteger();
        AtomicInteger bad = new AtomicInteger();
        ImageDecoder decoder = new ImageDecoder(100L << 20, new DecodeBudget(80L << 20), Duration.ofMillis(100));
        CyclicBarrier start = new CyclicBarrier(2 * THREADS);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2 * THREADS; t++) {
            byte[] image = t % 2 == 0 ? bomb : large;
            threads.add(new Thread(() -> {
                try {
                    start.await();
                    for (int r = 0; r < ROUNDS; r++) {
                        try {
                            switch (mode) {
                                case "budget" -> decoder.toFashionMnist(image, false);
                                case "unbounded" -> ImageConverter.toFashionMnist(image, false);
                                case "imageio-bombs" -> ImageIO.read(new ByteArrayInputStream(bomb));
                                default -> throw new IllegalArgumentException(mode);
                            }
                            ok.incrementAndGet();
                        } catch (ImageFormatException e) {
                            (e.tooLarge() ? tooLarge : bad).incrementAndGet();
                        } catch (DecodeBusyException e) {
                            busy.incrementAndGet();
                        } catch (IOException e) {
                            bad.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        System.out.println("ok=" + ok + " tooLarge=" + tooLarge + " busy=" + busy + " bad=" + bad);
    }

    static byte[] largePng() throws IOException {
        BufferedImage img = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillOval(SIDE / 4, SIDE / 4, SIDE / 2, SIDE / 2);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}
