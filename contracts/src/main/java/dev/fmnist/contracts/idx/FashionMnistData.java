package dev.fmnist.contracts.idx;

import dev.fmnist.contracts.FashionMnist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The two splits of Fashion-MNIST read from a directory that holds the four standard files, each
 * either gzip-compressed ({@code .gz}) or not.
 *
 * @param datasetId "fashion-mnist-" and the first 16 hex digits of the SHA-256 of the decompressed
 *                  content, so the same data gives the same id whichever copy it was read from
 */
public record FashionMnistData(Split train, Split test, String datasetId) {

    /** File stems of the four files, without {@code .gz}. */
    public static final List<String> FILES = List.of(
            "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    /** One split: images with their labels, checked to agree in count. */
    public record Split(IdxReader.Images images, byte[] labels) {
        public int count() {
            return labels.length;
        }

        public int label(int i) {
            return Byte.toUnsignedInt(labels[i]);
        }
    }

    /** Whether the directory holds all four files (each .gz or uncompressed). */
    public static boolean isComplete(Path dir) {
        return FILES.stream().allMatch(stem -> resolve(dir, stem) != null);
    }

    /** The path of a file by stem: the .gz if present, else the uncompressed file, else null. */
    public static Path resolve(Path dir, String stem) {
        Path gz = dir.resolve(stem + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path raw = dir.resolve(stem);
        return Files.isRegularFile(raw) ? raw : null;
    }

    /**
     * Reads and checks all four files; nothing is returned unless every file is sound.
     *
     * @throws IdxFormatException naming the file that is missing or wrong
     */
    public static FashionMnistData load(Path dir) {
        Split train = split(dir, FILES.get(0), FILES.get(1));
        Split test = split(dir, FILES.get(2), FILES.get(3));
        return new FashionMnistData(train, test, datasetId(train, test));
    }

    private static Split split(Path dir, String imagesStem, String labelsStem) {
        Path imagesFile = require(dir, imagesStem);
        Path labelsFile = require(dir, labelsStem);
        IdxReader.Images images = IdxReader.readImages(imagesFile);
        if (images.rows() != FashionMnist.ROWS || images.cols() != FashionMnist.COLS) {
            throw new IdxFormatException(imagesFile, "images are " + images.rows() + "x" + images.cols()
                    + ", Fashion-MNIST's are 28x28");
        }
        byte[] labels = IdxReader.readLabels(labelsFile);
        if (labels.length != images.count()) {
            throw new IdxFormatException(labelsFile, labels.length + " labels for " + images.count()
                    + " images in " + imagesFile.getFileName());
        }
        for (int i = 0; i < labels.length; i++) {
            if (Byte.toUnsignedInt(labels[i]) >= FashionMnist.CLASSES) {
                throw new IdxFormatException(labelsFile, "label " + Byte.toUnsignedInt(labels[i]) + " of item " + i
                        + " is not in 0-9");
            }
        }
        return new Split(images, labels);
    }

    private static Path require(Path dir, String stem) {
        Path p = resolve(dir, stem);
        if (p == null) {
            throw new IdxFormatException(dir.resolve(stem + ".gz"), "no such file (nor " + stem + " uncompressed)");
        }
        return p;
    }

    private static String datasetId(Split train, Split test) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Split s : List.of(train, test)) {
                sha.update(s.labels());
                sha.update(s.images().pixels());
            }
            return "fashion-mnist-" + HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
