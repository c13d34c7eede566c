package dev.fmnist.contracts;

import java.util.List;
import java.util.Locale;

/** The fixed facts of Fashion-MNIST: image size and the ten class names, index = label. */
public final class FashionMnist {
    public static final int ROWS = 28;
    public static final int COLS = 28;
    public static final int PIXELS = ROWS * COLS;
    public static final int CLASSES = 10;

    public static final List<String> LABELS = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private FashionMnist() {
    }

    public static String label(int classIndex) {
        if (classIndex < 0 || classIndex >= CLASSES) {
            throw new IllegalArgumentException("class index " + classIndex + " is not in 0-9");
        }
        return LABELS.get(classIndex);
    }

    /**
     * Parses a label given as an index ("7") or a class name, case-insensitively and ignoring
     * spaces, dashes, underscores and slashes ("ankle_boot", "T-shirt/top", "tshirt", "top").
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static int parseLabel(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("label is missing: give 0-9 or a class name " + LABELS);
        }
        String t = text.trim();
        if (t.chars().allMatch(Character::isDigit)) {
            int idx = t.length() > 2 ? -1 : Integer.parseInt(t);
            if (idx >= 0 && idx < CLASSES) {
                return idx;
            }
            throw new IllegalArgumentException("label " + t + " is not in 0-9");
        }
        String norm = normalise(t);
        for (int i = 0; i < CLASSES; i++) {
            if (normalise(LABELS.get(i)).equals(norm)) {
                return i;
            }
        }
        if (norm.equals("tshirt") || norm.equals("top")) {
            return 0;
        }
        throw new IllegalArgumentException("unknown label '" + t + "': give 0-9 or one of " + LABELS);
    }

    private static String normalise(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[\\s_/\\-]", "");
    }
}
