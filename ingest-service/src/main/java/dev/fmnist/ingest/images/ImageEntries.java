package dev.fmnist.ingest.images;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.image.ImageDecoder;
import dev.fmnist.contracts.image.ImageFormatException;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * Labelled images from a zip archive or a folder, laid out as {@code <class>/<image>}: the name of
 * the folder that directly holds an image is its label (a class name such as "Sneaker" or
 * "ankle_boot", or an index 0-9), so {@code shoes/Sneaker/a.png} is a sneaker. Hidden files and
 * folders (".DS_Store", "__MACOSX/") are skipped. Everything is checked before anything is returned:
 * one bad entry rejects the whole set, with every bad entry listed.
 */
public final class ImageEntries {
    /** At most this many bad entries are listed in an error. */
    static final int MAX_LISTED_ERRORS = 100;

    private ImageEntries() {
    }

    /**
     * Converts the images of a zip read from a stream, each entry as soon as it is inflated (memory
     * holds one entry, plus 784 bytes per image). Enforces the compressed size, the entry count, the
     * per-entry size and the total inflated size while reading (the sizes in the zip headers are not
     * trusted). All or nothing: any bad entry rejects the whole zip, listing the bad entries.
     *
     * @throws RejectedInputException TOO_LARGE beyond a limit, BAD_ARCHIVE when it is not a zip or
     *                                an entry is bad
     */
    public static List<LabelledImage> convertZip(InputStream in, boolean invert, UploadLimits limits, ImageDecoder decoder) {
        Converted converted = new Converted(invert, decoder);
        long inflated = 0;
        int seen = 0;
        CappedInputStream body = new CappedInputStream(in, limits.maxArchiveBytes());
        try (ZipInputStream zip = new ZipInputStream(body)) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                if (++seen > limits.maxEntries()) {
                    throw new RejectedInputException(RejectReason.TOO_LARGE,
                            "zip has more than " + limits.maxEntries() + " entries");
                }
                if (e.isDirectory()) {
                    continue;
                }
                String name = e.getName();
                long budget = Math.min(limits.maxImageBytes(), limits.maxUncompressedBytes() - inflated);
                byte[] bytes = readAtMost(zip, budget);
                if (bytes == null) {
                    boolean totalLimit = limits.maxUncompressedBytes() - inflated < limits.maxImageBytes();
                    throw new RejectedInputException(RejectReason.TOO_LARGE, totalLimit
                            ? "zip inflates to more than " + limits.maxUncompressedBytes() + " bytes"
                            : "entry " + name + " is larger than " + limits.maxImageBytes() + " bytes");
                }
                inflated += bytes.length;
                if (!hidden(name)) {
                    converted.add(name, bytes);
                }
            }
        } catch (ZipException ex) {
            throw new RejectedInputException(RejectReason.BAD_ARCHIVE, "not a valid zip archive: " + ex.getMessage());
        } catch (IOException ex) {
            throw new RejectedInputException(RejectReason.BAD_ARCHIVE, "cannot read the zip archive: " + ex.getMessage());
        }
        if (body.count() == 0) {
            throw new RejectedInputException(RejectReason.BAD_ARCHIVE, "empty request body: send the zip");
        }
        if (seen == 0) {
            throw new RejectedInputException(RejectReason.BAD_ARCHIVE, "not a zip archive, or an empty one");
        }
        if (converted.entries == 0) {
            throw new RejectedInputException(RejectReason.BAD_ARCHIVE, "the zip holds no image files");
        }
        return converted.result();
    }

    /**
     * Converts the image files under a folder (recursively, sorted by path), one file at a time, with
     * the same limits and the same all-or-nothing rule as a zip.
     *
     * @throws RejectedInputException TOO_LARGE beyond a limit, BAD_ARCHIVE when the folder cannot be
     *                                read or a file is bad
     */
    public static List<LabelledImage> convertFolder(Path root, boolean invert, UploadLimits limits, ImageDecoder decoder) {
        if (!Files.isDirectory(root)) {
            throw new RejectedInputException(RejectReason.BAD_ARCHIVE, root + " is not a directory");
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> !hidden(root.relativize(p).toString().replace('\\', '/')))
                    .sorted(Comparator.comparing(Path::toString))
                    .toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new RejectedInputException(RejectReason.BAD_ARCHIVE, "cannot list " + root + ": " + e.getMessage());
        }
        if (files.size() > limits.maxEntries()) {
            throw new RejectedInputException(RejectReason.TOO_LARGE, root + " holds more than " + limits.maxEntries() + " files");
        }
        if (files.isEmpty()) {
            throw new RejectedInputException(RejectReason.BAD_ARCHIVE, root + " holds no image files");
        }
        Converted converted = new Converted(invert, decoder);
        long total = 0;
        for (Path f : files) {
            String name = root.relativize(f).toString().replace('\\', '/');
            try {
                long size = Files.size(f);
                if (size > limits.maxImageBytes()) {
                    throw new RejectedInputException(RejectReason.TOO_LARGE, name + " is larger than " + limits.maxImageBytes() + " bytes");
                }
                total += size;
                if (total > limits.maxArchiveBytes()) {
                    throw new RejectedInputException(RejectReason.TOO_LARGE, root + " holds more than " + limits.maxArchiveBytes() + " bytes");
                }
                converted.add(name, Files.readAllBytes(f));
            } catch (IOException e) {
                throw new RejectedInputException(RejectReason.BAD_ARCHIVE, "cannot read " + f + ": " + e.getMessage());
            }
        }
        return converted.result();
    }

    /** Entries converted so far and the bad ones; the encoded bytes of an entry are dropped once converted. */
    private static final class Converted {
        private final boolean invert;
        private final ImageDecoder decoder;
        private final List<LabelledImage> images = new ArrayList<>();
        private final List<RejectedInputException.EntryError> errors = new ArrayList<>();
        private int entries;
        private int bad;

        Converted(boolean invert, ImageDecoder decoder) {
            this.invert = invert;
            this.decoder = decoder;
        }

        void add(String name, byte[] bytes) {
            entries++;
            try {
                int label = labelOf(name);
                if (bad == 0) {
                    images.add(new LabelledImage(name, label, decoder.toFashionMnist(bytes, invert)));
                } else {
                    decoder.toFashionMnist(bytes, invert); // still checked, so every bad entry is listed
                }
            } catch (IllegalArgumentException | ImageFormatException ex) {
                bad++;
                images.clear(); // nothing will be published: keep no pixels
                if (errors.size() < MAX_LISTED_ERRORS) {
                    errors.add(new RejectedInputException.EntryError(name, ex.getMessage()));
                }
            }
        }

        List<LabelledImage> result() {
            if (bad > 0) {
                throw new RejectedInputException(RejectReason.BAD_ARCHIVE, bad + " of " + entries
                        + " entries are not usable labelled images; nothing was published", errors);
            }
            return images;
        }
    }

    /** Counts what is read and refuses (TOO_LARGE) to read past a cap: the compressed zip limit. */
    private static final class CappedInputStream extends FilterInputStream {
        private final long cap;
        private long count;

        CappedInputStream(InputStream in, long cap) {
            super(in);
            this.cap = cap;
        }

        long count() {
            return count;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long k = super.skip(n);
            if (k > 0) {
                counted(k);
            }
            return k;
        }

        private void counted(long n) {
            count += n;
            if (count > cap) {
                throw new RejectedInputException(RejectReason.TOO_LARGE, "zip is larger than the limit of " + cap
                        + " bytes (fmnist.ingest.upload.bulk-max-bytes)");
            }
        }
    }

    /** The label of an entry from the name of the folder that holds it. */
    static int labelOf(String name) {
        String[] parts = name.split("/");
        if (parts.length < 2 || parts[parts.length - 2].isBlank()) {
            throw new IllegalArgumentException("not in a class folder: put it in a folder named after its class, e.g. Sneaker/ or 7/ (classes: "
                    + FashionMnist.LABELS + ")");
        }
        return FashionMnist.parseLabel(parts[parts.length - 2]);
    }

    static boolean hidden(String name) {
        for (String part : name.split("/")) {
            if (part.startsWith(".") || part.equals("__MACOSX")) {
                return true;
            }
        }
        return false;
    }

    /** The stream's bytes, or null when it holds more than max bytes. */
    public static byte[] readAtMost(InputStream in, long max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = in.read(buf)) != -1) {
            total += n;
            if (total > max) {
                return null;
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }
}
