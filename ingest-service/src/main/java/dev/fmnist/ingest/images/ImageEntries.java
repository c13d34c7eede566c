package dev.fmnist.ingest.images;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.image.ImageConverter;
import dev.fmnist.contracts.image.ImageFormatException;
import java.io.ByteArrayOutputStream;
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

    /** An image file as read: its path inside the archive or folder, and its bytes. */
    public record Entry(String name, byte[] bytes) {
    }

    private ImageEntries() {
    }

    /**
     * Reads a zip from a stream, enforcing the entry count, per-entry size and total inflated size
     * limits while inflating (the sizes in the zip headers are not trusted).
     *
     * @throws RejectedInputException TOO_LARGE beyond a limit, BAD_ARCHIVE when it is not a zip
     */
    public static List<Entry> readZip(InputStream in, UploadLimits limits) {
        List<Entry> entries = new ArrayList<>();
        long inflated = 0;
        int seen = 0;
        try (ZipInputStream zip = new ZipInputStream(in)) {
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
                    entries.add(new Entry(name, bytes));
                }
            }
        } catch (ZipException ex) {
            throw new RejectedInputException(RejectReason.BAD_ARCHIVE, "not a valid zip archive: " + ex.getMessage());
        } catch (IOException ex) {
            throw new RejectedInputException(RejectReason.BAD_ARCHIVE, "cannot read the zip archive: " + ex.getMessage());
        }
        if (seen == 0) {
            throw new RejectedInputException(RejectReason.BAD_ARCHIVE, "not a zip archive, or an empty one");
        }
        if (entries.isEmpty()) {
            throw new RejectedInputException(RejectReason.BAD_ARCHIVE, "the zip holds no image files");
        }
        return entries;
    }

    /**
     * Reads the image files under a folder (recursively, sorted by path), with the same limits as a zip.
     *
     * @throws RejectedInputException TOO_LARGE beyond a limit, BAD_ARCHIVE when the folder cannot be read
     */
    public static List<Entry> readFolder(Path root, UploadLimits limits) {
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
        List<Entry> entries = new ArrayList<>();
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
                entries.add(new Entry(name, Files.readAllBytes(f)));
            } catch (IOException e) {
                throw new RejectedInputException(RejectReason.BAD_ARCHIVE, "cannot read " + f + ": " + e.getMessage());
            }
        }
        return entries;
    }

    /**
     * Labels and converts every entry. All or nothing: when any entry is bad, throws one
     * BAD_ARCHIVE rejection listing the bad entries (up to {@value #MAX_LISTED_ERRORS}).
     */
    public static List<LabelledImage> convert(List<Entry> entries, boolean invert, UploadLimits limits) {
        List<LabelledImage> images = new ArrayList<>(entries.size());
        List<RejectedInputException.EntryError> errors = new ArrayList<>();
        int bad = 0;
        for (Entry e : entries) {
            try {
                int label = labelOf(e.name());
                byte[] pixels = ImageConverter.toFashionMnist(e.bytes(), invert, limits.maxPixels());
                images.add(new LabelledImage(e.name(), label, pixels));
            } catch (IllegalArgumentException | ImageFormatException ex) {
                bad++;
                if (errors.size() < MAX_LISTED_ERRORS) {
                    errors.add(new RejectedInputException.EntryError(e.name(), ex.getMessage()));
                }
            }
        }
        if (bad > 0) {
            throw new RejectedInputException(RejectReason.BAD_ARCHIVE, bad + " of " + entries.size()
                    + " entries are not usable labelled images; nothing was published", errors);
        }
        return images;
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
