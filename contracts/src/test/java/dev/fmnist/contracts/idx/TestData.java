package dev.fmnist.contracts.idx;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Where the real Fashion-MNIST files are: the surefire property, else the usual places next to the repo. */
public final class TestData {
    private TestData() {
    }

    public static Path dir() {
        String configured = System.getProperty("fmnist.test.data-dir");
        List<Path> candidates = configured != null && !configured.isBlank()
                ? List.of(Path.of(configured))
                // the module dir is the working directory; the data sits next to the repo, /work/shared
                : List.of(Path.of("../shared/data/fashion-mnist"), Path.of("../../shared/data/fashion-mnist"));
        for (Path p : candidates) {
            if (FashionMnistData.isComplete(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("Fashion-MNIST test data not found in " + candidates
                + " (set -Dfmnist.test.data-dir)");
    }

    public static Path file(String stem) {
        Path p = FashionMnistData.resolve(dir(), stem);
        if (p == null || !Files.isRegularFile(p)) {
            throw new IllegalStateException(stem + " not found in " + dir());
        }
        return p;
    }
}
