package dev.fmnist.ingest.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.ingest.testing.Images;
import dev.fmnist.ingest.testing.TestFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Zips and folders of class-named folders: labelling, all-or-nothing checks, limits, zip bombs. */
class ImageEntriesTest {
    private final UploadLimits limits = UploadLimits.defaults();

    @TempDir
    Path tmp;

    @Test
    void labelsComeFromTheFolderHoldingEachImage() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("Sneaker/", null);
        entries.put("Sneaker/a.png", Images.png28(1));
        entries.put("9/b.png", Images.png28(2));
        entries.put("my photos/ankle_boot/c.jpg", Images.photo(100, 80, "jpeg"));
        entries.put("__MACOSX/Sneaker/._a.png", new byte[]{0, 1});
        entries.put("Sneaker/.DS_Store", new byte[]{0, 1});
        List<LabelledImage> images = UserImages.archive(new ByteArrayInputStream(TestFiles.zip(entries)), false, limits, Images.decoder());
        assertEquals(3, images.size());
        assertEquals("Sneaker/a.png", images.get(0).source());
        assertEquals(7, images.get(0).label());
        assertArrayEquals(Images.pixels28(1), images.get(0).pixels());
        assertEquals(9, images.get(1).label());
        assertEquals(9, images.get(2).label());
        assertEquals("my photos/ankle_boot/c.jpg", images.get(2).source());
    }

    @Test
    void everyBadEntryIsListedAndNothingIsReturned() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("Sneaker/good.png", Images.png28(1));
        entries.put("Cat/unknown-class.png", Images.png28(2));
        entries.put("loose.png", Images.png28(3));
        entries.put("Bag/notes.txt", "hello".getBytes());
        entries.put("Bag/fine.png", Images.png28(4));
        RejectedInputException e = assertThrows(RejectedInputException.class,
                () -> UserImages.archive(new ByteArrayInputStream(TestFiles.zip(entries)), false, limits, Images.decoder()));
        assertEquals(RejectReason.BAD_ARCHIVE, e.reason());
        assertTrue(e.getMessage().startsWith("3 of 5 entries"), e.getMessage());
        assertEquals(List.of("Cat/unknown-class.png", "loose.png", "Bag/notes.txt"),
                e.entries().stream().map(RejectedInputException.EntryError::entry).toList());
        assertTrue(e.entries().get(0).error().contains("unknown label 'Cat'"), e.entries().get(0).error());
        assertTrue(e.entries().get(1).error().contains("not in a class folder"), e.entries().get(1).error());
        assertTrue(e.entries().get(2).error().contains("not a PNG or JPEG"), e.entries().get(2).error());
    }

    @Test
    void notAZipIsABadArchive() {
        RejectedInputException e = assertThrows(RejectedInputException.class,
                () -> UserImages.archive(new ByteArrayInputStream(Images.png28(1)), false, limits, Images.decoder()));
        assertEquals(RejectReason.BAD_ARCHIVE, e.reason());
    }

    @Test
    void aZipWithoutImagesIsABadArchive() {
        byte[] zip = TestFiles.zip(Map.of("Sneaker/", new byte[0]));
        RejectedInputException e = assertThrows(RejectedInputException.class,
                () -> UserImages.archive(new ByteArrayInputStream(zip), false, limits, Images.decoder()));
        assertEquals(RejectReason.BAD_ARCHIVE, e.reason());
        assertTrue(e.getMessage().contains("no image files"), e.getMessage());
    }

    @Test
    void tooManyEntriesIsTooLarge() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < 6; i++) {
            entries.put("Bag/" + i + ".png", Images.png28(i));
        }
        UploadLimits five = new UploadLimits(1 << 20, 1 << 20, 5, 1 << 20);
        RejectedInputException e = assertThrows(RejectedInputException.class,
                () -> UserImages.archive(new ByteArrayInputStream(TestFiles.zip(entries)), false, five, Images.decoder()));
        assertEquals(RejectReason.TOO_LARGE, e.reason());
        assertTrue(e.getMessage().contains("more than 5 entries"), e.getMessage());
    }

    @Test
    void aZipBombIsStoppedWhileInflating() {
        // 4 entries of 3 MB of zeros: a few KB compressed, 12 MB inflated; the limit is 8 MB in all.
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < 4; i++) {
            entries.put("Bag/" + i + ".png", new byte[3 << 20]);
        }
        byte[] zip = TestFiles.zip(entries);
        assertTrue(zip.length < 100_000, "test zip is small: " + zip.length);
        UploadLimits bombGuard = new UploadLimits(4 << 20, 1 << 20, 100, 8 << 20);
        RejectedInputException e = assertThrows(RejectedInputException.class,
                () -> UserImages.archive(new ByteArrayInputStream(zip), false, bombGuard, Images.decoder()));
        assertEquals(RejectReason.TOO_LARGE, e.reason());
        assertTrue(e.getMessage().contains("inflates to more than 8388608 bytes"), e.getMessage());
    }

    @Test
    void aDecompressionBombEntryIsListedAndNothingIsReturned() {
        // 61 bytes declaring 6324x6324 16-bit RGBA: refused from its header, next to a good entry
        byte[] bomb = Images.pngBomb();
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("Bag/good.png", Images.png28(1));
        entries.put("Bag/bomb.png", bomb);
        RejectedInputException e = assertThrows(RejectedInputException.class,
                () -> UserImages.archive(new ByteArrayInputStream(TestFiles.zip(entries)), false, limits, Images.decoder()));
        assertEquals(RejectReason.BAD_ARCHIVE, e.reason());
        assertTrue(e.getMessage().startsWith("1 of 2 entries"), e.getMessage());
        assertEquals("Bag/bomb.png", e.entries().get(0).entry());
        assertTrue(e.entries().get(0).error().contains("6324x6324 PNG, 4 channels of 16 bits needs"), e.entries().get(0).error());
    }

    @Test
    void aZipIsConvertedWhileItStreamsAndNeverHeldWhole() {
        // 300 distinct 28x28 PNGs: the stream is read once, front to back, and each entry becomes 784 bytes
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < 300; i++) {
            entries.put("Coat/" + i + ".png", Images.png28(i));
        }
        byte[] zip = TestFiles.zip(entries);
        java.util.concurrent.atomic.AtomicLong read = new java.util.concurrent.atomic.AtomicLong();
        java.io.InputStream counting = new java.io.FilterInputStream(new ByteArrayInputStream(zip)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, Math.min(len, 4096)); // small reads: a buffered copy would show
                read.addAndGet(Math.max(0, n));
                return n;
            }

            @Override
            public boolean markSupported() {
                return false;
            }
        };
        List<LabelledImage> images = UserImages.archive(counting, false, limits, Images.decoder());
        assertEquals(300, images.size());
        assertArrayEquals(Images.pixels28(299), images.get(299).pixels());
        assertTrue(read.get() <= zip.length, "read " + read.get() + " of " + zip.length);
    }

    @Test
    void anEntryLargerThanOneImageMayBeIsTooLarge() {
        byte[] zip = TestFiles.zip(Map.of("Bag/huge.png", new byte[2 << 20]));
        UploadLimits oneMeg = new UploadLimits(1 << 20, 1 << 20, 100, 64 << 20);
        RejectedInputException e = assertThrows(RejectedInputException.class,
                () -> UserImages.archive(new ByteArrayInputStream(zip), false, oneMeg, Images.decoder()));
        assertEquals(RejectReason.TOO_LARGE, e.reason());
        assertTrue(e.getMessage().contains("Bag/huge.png"), e.getMessage());
    }

    @Test
    void aCompressedZipOverTheBodyLimitIsTooLarge() {
        byte[] zip = TestFiles.zip(Map.of("Bag/a.png", Images.photo(400, 400, "png")));
        UploadLimits tiny = new UploadLimits(1 << 20, 100, 100, 64 << 20);
        RejectedInputException e = assertThrows(RejectedInputException.class,
                () -> UserImages.archive(new ByteArrayInputStream(zip), false, tiny, Images.decoder()));
        assertEquals(RejectReason.TOO_LARGE, e.reason());
        assertTrue(e.getMessage().contains("fmnist.ingest.upload.bulk-max-bytes"), e.getMessage());
    }

    @Test
    void aFolderIsReadLikeAZip() throws IOException {
        Files.createDirectories(tmp.resolve("Trouser"));
        Files.createDirectories(tmp.resolve("2"));
        Files.createDirectories(tmp.resolve(".git"));
        Files.write(tmp.resolve("Trouser/a.png"), Images.png28(1));
        Files.write(tmp.resolve("2/b.png"), Images.png28(2));
        Files.write(tmp.resolve(".git/config"), "x".getBytes());
        List<LabelledImage> images = ImageEntries.convertFolder(tmp, false, limits, Images.decoder());
        assertEquals(List.of("2/b.png", "Trouser/a.png"), images.stream().map(LabelledImage::source).toList());
        assertEquals(List.of(2, 1), images.stream().map(LabelledImage::label).toList());
    }
}
