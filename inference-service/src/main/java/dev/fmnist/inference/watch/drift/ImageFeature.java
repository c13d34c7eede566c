package dev.fmnist.inference.watch.drift;

import dev.fmnist.contracts.FashionMnist;
import java.util.Locale;

/**
 * The per-image statistics input drift is watched on, chosen to separate Fashion-MNIST (a light object on a
 * black background, centred, dark at the edges) from what users get wrong (a dark-on-light photo sent
 * without {@code invert=true}: bright everywhere, brightest at the edges). All four come from one pass over
 * the 784 pixels ({@link #measure}). Their names are the {@code feature} tag of the drift gauges and the
 * keys of the shipped reference, so they are fixed.
 */
public enum ImageFeature {
    /** Mean intensity of the 784 pixels, 0-255. */
    MEAN,
    /** Standard deviation of the 784 pixels (population), 0-127.5. */
    CONTRAST,
    /** Fraction of pixels at 128 or above, 0-1. */
    LIT,
    /**
     * Mean intensity of the outer ring, {@value #RING} pixels wide (208 pixels), 0-255: 9 to 38 for 80 % of
     * Fashion-MNIST's training images (objects are scaled to the frame), above 200 for a dark-on-light photo.
     */
    BORDER;

    /** Width of the border ring in pixels. */
    public static final int RING = 2;
    private static final int SIDE = FashionMnist.COLS;
    private static final int COUNT = values().length;
    private static final int BORDER_PIXELS = FashionMnist.PIXELS - (SIDE - 2 * RING) * (SIDE - 2 * RING);

    /** The tag value and reference key: the lower-case name. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The features of the 28x28 image at {@code offset} of {@code pixels} (0-255, row-major), indexed by
     * ordinal.
     */
    public static double[] measure(byte[] pixels, int offset) {
        // int accumulators (at most 784 * 255^2 < 2^31) in flat loops the JIT can unroll and vectorise
        int sum = 0;
        int squares = 0;
        int lit = 0;
        for (int i = offset; i < offset + FashionMnist.PIXELS; i++) {
            int v = pixels[i] & 0xFF;
            sum += v;
            squares += v * v;
            lit += v >>> 7;
        }
        int border = 0;
        int topAndBottom = RING * SIDE;
        for (int i = 0; i < topAndBottom; i++) {
            border += (pixels[offset + i] & 0xFF) + (pixels[offset + FashionMnist.PIXELS - topAndBottom + i] & 0xFF);
        }
        for (int row = RING; row < SIDE - RING; row++) {
            int start = offset + row * SIDE;
            for (int c = 0; c < RING; c++) {
                border += (pixels[start + c] & 0xFF) + (pixels[start + SIDE - 1 - c] & 0xFF);
            }
        }
        double n = FashionMnist.PIXELS;
        double mean = sum / n;
        double[] out = new double[COUNT];
        out[MEAN.ordinal()] = mean;
        // E[x^2] - E[x]^2 of integers: exact enough in double (at most 784 * 255^2); never below 0 but for rounding
        out[CONTRAST.ordinal()] = Math.sqrt(Math.max(0, squares / n - mean * mean));
        out[LIT.ordinal()] = lit / n;
        out[BORDER.ordinal()] = border / (double) BORDER_PIXELS;
        return out;
    }
}
