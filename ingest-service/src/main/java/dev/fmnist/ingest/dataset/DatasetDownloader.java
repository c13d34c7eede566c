package dev.fmnist.ingest.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLConnection;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import org.jboss.logging.Logger;

/**
 * Downloads the four Fashion-MNIST .gz files from a mirror into a cache directory. Each file is
 * written to a temporary file in the cache directory, checked against its published MD5 and only
 * then moved atomically to its final name, so the cache never holds a partial or wrong file under a
 * real name (several processes may share the cache).
 */
public final class DatasetDownloader {
    private static final Logger LOG = Logger.getLogger(DatasetDownloader.class);
    /** The largest file is 26 MB; anything far beyond that is not Fashion-MNIST. */
    static final long MAX_FILE_BYTES = 64L << 20;

    private final URI baseUrl;
    private final Duration timeout;

    public DatasetDownloader(URI baseUrl, Duration timeout) {
        String s = baseUrl.toString();
        this.baseUrl = URI.create(s.endsWith("/") ? s : s + "/");
        this.timeout = timeout;
    }

    public URI baseUrl() {
        return baseUrl;
    }

    /**
     * Makes the cache directory hold the four verified .gz files: a file already there with the
     * published MD5 is kept, a missing or wrong one is downloaded.
     *
     * @return how many files were downloaded
     * @throws DatasetException naming the file and the reason when one cannot be had
     */
    public int fill(Path cacheDir) {
        try {
            Files.createDirectories(cacheDir);
        } catch (IOException e) {
            throw new DatasetException("cannot create the cache directory " + cacheDir + ": " + e.getMessage(), e);
        }
        int downloaded = 0;
        for (String name : DatasetFiles.GZ_NAMES) {
            Path target = cacheDir.resolve(name);
            if (isVerified(target)) {
                continue;
            }
            download(name, target);
            downloaded++;
        }
        return downloaded;
    }

    /** Whether the file exists and has its published MD5. */
    static boolean isVerified(Path file) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try {
            String expected = DatasetFiles.PUBLISHED_MD5.get(file.getFileName().toString());
            String actual = DatasetFiles.md5(file);
            if (expected.equals(actual)) {
                return true;
            }
            LOG.warnf("cached %s has MD5 %s, expected %s: downloading it again", file, actual, expected);
            return false;
        } catch (IOException e) {
            LOG.warnf("cannot read cached %s (%s): downloading it again", file, e.getMessage());
            return false;
        }
    }

    /** Downloads one file into a temporary file next to target, verifies it, moves it into place. */
    void download(String name, Path target) {
        URI url = baseUrl.resolve(name);
        String expected = DatasetFiles.PUBLISHED_MD5.get(name);
        Path tmp = null;
        long started = System.nanoTime();
        try {
            tmp = Files.createTempFile(target.getParent(), name + ".", ".part");
            MessageDigest md = DatasetFiles.newMd5();
            long bytes;
            try (InputStream in = new DigestInputStream(open(url), md);
                 OutputStream out = Files.newOutputStream(tmp)) {
                bytes = copyLimited(in, out, url);
            }
            String actual = HexFormat.of().formatHex(md.digest());
            if (!actual.equals(expected)) {
                throw new DatasetException("download of " + name + " from " + url + " has MD5 " + actual
                        + ", the published MD5 is " + expected + " (" + bytes + " bytes; corrupt or wrong mirror)");
            }
            move(tmp, target);
            tmp = null;
            LOG.infof("downloaded %s (%d bytes, MD5 verified) from %s in %d ms", name, bytes, url,
                    (System.nanoTime() - started) / 1_000_000);
        } catch (IOException e) {
            throw new DatasetException("download of " + name + " from " + url + " failed: " + describe(e), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a stray .part file in the cache is harmless and never read
                }
            }
        }
    }

    private InputStream open(URI url) throws IOException {
        URLConnection c = url.toURL().openConnection();
        c.setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        c.setReadTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        if (c instanceof HttpURLConnection http) {
            http.setInstanceFollowRedirects(true);
            int status = http.getResponseCode();
            if (status != HttpURLConnection.HTTP_OK) {
                http.disconnect();
                throw new IOException("HTTP " + status + " " + http.getResponseMessage());
            }
        }
        return c.getInputStream();
    }

    private static long copyLimited(InputStream in, OutputStream out, URI url) throws IOException {
        byte[] buf = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = in.read(buf)) != -1) {
            total += n;
            if (total > MAX_FILE_BYTES) {
                throw new IOException("more than " + MAX_FILE_BYTES + " bytes: not a Fashion-MNIST file");
            }
            out.write(buf, 0, n);
        }
        return total;
    }

    private static void move(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String describe(IOException e) {
        String msg = e.getMessage();
        return e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    }
}
