package dev.fmnist.ingest.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.fmnist.ingest.testing.TestFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the files are looked for, in order, and the verified download; never the network. */
class DatasetLocatorTest {
    @TempDir
    Path tmp;

    private final Duration timeout = Duration.ofSeconds(5);

    @Test
    void configuredDirectoryComesFirst() {
        Path configured = tmp.resolve("configured");
        Path system = tmp.resolve("system");
        TestFiles.linkDataset(configured);
        TestFiles.linkDataset(system);
        var located = locator(Optional.of(configured), system, tmp.resolve("cache"), Optional.empty()).locate();
        assertEquals(new DatasetLocator.Located(configured, DatasetLocator.Origin.CONFIGURED), located);
    }

    @Test
    void incompleteConfiguredDirectoryFallsBackToTheSystemDirectory() throws IOException {
        Path configured = tmp.resolve("configured");
        TestFiles.linkDataset(configured);
        Files.delete(configured.resolve("t10k-labels-idx1-ubyte.gz"));
        Path system = tmp.resolve("system");
        TestFiles.linkDataset(system);
        var located = locator(Optional.of(configured), system, tmp.resolve("cache"), Optional.empty()).locate();
        assertEquals(new DatasetLocator.Located(system, DatasetLocator.Origin.SYSTEM), located);
    }

    @Test
    void verifiedCacheComesAfterTheSystemDirectory() {
        Path cache = tmp.resolve("cache");
        TestFiles.linkDataset(cache);
        var located = locator(Optional.empty(), tmp.resolve("no-system"), cache, Optional.empty()).locate();
        assertEquals(new DatasetLocator.Located(cache, DatasetLocator.Origin.CACHE), located);
    }

    @Test
    void nothingFoundAndDownloadOffIsOneClearLine() {
        Path configured = tmp.resolve("empty");
        DatasetException e = assertThrows(DatasetException.class, () -> locator(Optional.of(configured),
                tmp.resolve("no-system"), tmp.resolve("cache"), Optional.empty()).locate());
        String m = e.getMessage();
        assertFalse(m.contains("\n"), m);
        assertTrue(m.contains(configured.toString()) && m.contains("no-system") && m.contains("cache"), m);
        assertTrue(m.contains("fmnist.ingest.download=false"), m);
    }

    @Test
    void downloadsIntoTheCacheAndVerifiesTheMd5s() throws IOException {
        Path cache = tmp.resolve("cache");
        DatasetDownloader downloader = new DatasetDownloader(TestFiles.dataDir().toUri(), timeout);
        var located = locator(Optional.empty(), tmp.resolve("no-system"), cache, Optional.of(downloader)).locate();
        assertEquals(new DatasetLocator.Located(cache, DatasetLocator.Origin.DOWNLOADED), located);
        for (String name : DatasetFiles.GZ_NAMES) {
            assertEquals(DatasetFiles.PUBLISHED_MD5.get(name), DatasetFiles.md5(cache.resolve(name)), name);
        }
        assertEquals(List.of(), partFiles(cache));
        // a second look finds the verified cache without downloading
        var again = locator(Optional.empty(), tmp.resolve("no-system"), cache, Optional.of(downloader)).locate();
        assertEquals(DatasetLocator.Origin.CACHE, again.origin());
    }

    @Test
    void aCorruptCachedFileIsDownloadedAgain() throws IOException {
        Path cache = tmp.resolve("cache");
        Files.createDirectories(cache);
        Files.write(cache.resolve("t10k-labels-idx1-ubyte.gz"), new byte[]{1, 2, 3});
        DatasetDownloader downloader = new DatasetDownloader(TestFiles.dataDir().toUri(), timeout);
        assertEquals(4, downloader.fill(cache));
        assertEquals(0, downloader.fill(cache));
        assertEquals(DatasetFiles.PUBLISHED_MD5.get("t10k-labels-idx1-ubyte.gz"),
                DatasetFiles.md5(cache.resolve("t10k-labels-idx1-ubyte.gz")));
    }

    @Test
    void aDownloadWithTheWrongMd5IsRejectedAndLeavesNothing() throws IOException {
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] body = "not the real file".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try {
            Path cache = tmp.resolve("cache");
            URI base = URI.create("http://localhost:" + server.getAddress().getPort() + "/mirror");
            DatasetDownloader downloader = new DatasetDownloader(base, timeout);
            DatasetException e = assertThrows(DatasetException.class, () ->
                    locator(Optional.empty(), tmp.resolve("no-system"), cache, Optional.of(downloader)).locate());
            String m = e.getMessage();
            assertTrue(m.contains("train-images-idx3-ubyte.gz") && m.contains("MD5")
                    && m.contains("8d4fb7e6c68d591d4c3dfef9ec88bf0d"), m);
            assertTrue(m.contains("/mirror/train-images-idx3-ubyte.gz"), m);
            assertFalse(m.contains("\n"), m);
            assertEquals(1, requests.get(), "stops at the first bad file");
            assertFalse(Files.exists(cache.resolve("train-images-idx3-ubyte.gz")));
            assertEquals(List.of(), partFiles(cache));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anHttpErrorIsReported() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.start();
        try {
            DatasetDownloader downloader = new DatasetDownloader(
                    URI.create("http://localhost:" + server.getAddress().getPort() + "/"), timeout);
            DatasetException e = assertThrows(DatasetException.class, () -> downloader.fill(tmp.resolve("cache")));
            assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        } finally {
            server.stop(0);
        }
    }

    private static DatasetLocator locator(Optional<Path> configured, Path system, Path cache,
                                          Optional<DatasetDownloader> downloader) {
        return new DatasetLocator(configured, system, cache, downloader);
    }

    private static List<Path> partFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".part")).toList();
        }
    }
}
