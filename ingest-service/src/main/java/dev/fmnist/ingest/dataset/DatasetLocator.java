package dev.fmnist.ingest.dataset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Finds the four Fashion-MNIST files, in this order: the configured directory, the directory of the
 * Debian package dataset-fashion-mnist, the download cache, and finally a download into the cache
 * (when allowed). A directory counts only when it holds all four files.
 */
public final class DatasetLocator {
    private static final Logger LOG = Logger.getLogger(DatasetLocator.class);

    /** Where the files were found. */
    public enum Origin { CONFIGURED, SYSTEM, CACHE, DOWNLOADED }

    public record Located(Path dir, Origin origin) {
    }

    private final Optional<Path> configured;
    private final Path system;
    private final Path cache;
    private final Optional<DatasetDownloader> downloader;

    /** @param downloader empty when downloading is switched off */
    public DatasetLocator(Optional<Path> configured, Path system, Path cache, Optional<DatasetDownloader> downloader) {
        this.configured = configured;
        this.system = system;
        this.cache = cache;
        this.downloader = downloader;
    }

    /** @throws DatasetException with a one-line message listing every place looked at */
    public Located locate() {
        List<String> looked = new ArrayList<>();
        if (configured.isPresent()) {
            Path dir = configured.get();
            if (complete(dir, looked, "fmnist.ingest.data-dir")) {
                return new Located(dir, Origin.CONFIGURED);
            }
            LOG.warnf("configured fmnist.ingest.data-dir %s does not hold the four Fashion-MNIST files (%s); looking elsewhere",
                    dir, looked.get(looked.size() - 1));
        } else {
            looked.add("fmnist.ingest.data-dir not set");
        }
        if (complete(system, looked, "system")) {
            return new Located(system, Origin.SYSTEM);
        }
        boolean cached = DatasetFiles.GZ_NAMES.stream().allMatch(n -> DatasetDownloader.isVerified(cache.resolve(n)));
        if (cached) {
            return new Located(cache, Origin.CACHE);
        }
        looked.add("cache " + cache + " incomplete");
        if (downloader.isEmpty()) {
            throw new DatasetException("Fashion-MNIST not found (" + String.join("; ", looked)
                    + ") and downloading is off (fmnist.ingest.download=false)");
        }
        DatasetDownloader d = downloader.get();
        try {
            LOG.infof("Fashion-MNIST not found locally; downloading from %s into %s", d.baseUrl(), cache);
            d.fill(cache);
        } catch (DatasetException e) {
            throw new DatasetException("Fashion-MNIST not found (" + String.join("; ", looked) + ") and "
                    + e.getMessage(), e);
        }
        return new Located(cache, Origin.DOWNLOADED);
    }

    private static boolean complete(Path dir, List<String> looked, String what) {
        if (!Files.isDirectory(dir)) {
            looked.add(what + " " + dir + " does not exist");
            return false;
        }
        List<String> missing = DatasetFiles.missing(dir);
        if (missing.isEmpty()) {
            return true;
        }
        looked.add(what + " " + dir + " lacks " + String.join(", ", missing));
        return false;
    }
}
