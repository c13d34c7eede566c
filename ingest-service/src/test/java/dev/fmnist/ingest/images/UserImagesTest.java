package dev.fmnist.ingest.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.ImageBatch;
import dev.fmnist.contracts.ImageBatchCodec;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.image.DecodeBudget;
import dev.fmnist.contracts.image.ImageDecoder;
import dev.fmnist.ingest.testing.Images;
import java.time.Duration;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Checks of a single upload: labels, images, limits, and the content-derived batch id. */
class UserImagesTest {
    private final UploadLimits limits = UploadLimits.defaults();

    @ParameterizedTest
    @CsvSource({"0,0", "9,9", "Sneaker,7", "sneaker,7", "ankle_boot,9", "Ankle boot,9", "T-shirt/top,0", "tshirt,0",
            "' Bag ',8"})
    void labelsByIndexOrClassName(String text, int expected) {
        assertEquals(expected, UserImages.parseLabel(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10", "-1", "sneakers", "cat", " ", "007"})
    void unknownLabelsAreRejectedNamingTheClasses(String text) {
        RejectedInputException e = assertThrows(RejectedInputException.class, () -> UserImages.parseLabel(text));
        assertEquals(RejectReason.BAD_LABEL, e.reason());
        assertEquals(400, e.reason().status());
    }

    @Test
    void missingLabelIsRejected() {
        RejectedInputException e = assertThrows(RejectedInputException.class,
                () -> UserImages.single(in(Images.png28(1)), null, false, limits, "x", Images.decoder()));
        assertEquals(RejectReason.BAD_LABEL, e.reason());
        assertTrue(e.getMessage().contains("label is missing"), e.getMessage());
    }

    @Test
    void a28x28GrayPngKeepsItsPixels() {
        LabelledImage img = UserImages.single(in(Images.png28(3)), "Bag", false, limits, "upload", Images.decoder());
        assertEquals(8, img.label());
        assertArrayEquals(Images.pixels28(3), img.pixels());
        ImageBatch batch = ImageBatchCodec.decode(ImageBatchCodec.encode(img.toBatch()));
        assertEquals(Split.USER, batch.split());
        assertEquals("user", batch.datasetId());
        assertEquals(img.batchId(), batch.batchId());
        assertEquals(1, batch.count());
        assertEquals(8, batch.label(0));
    }

    @Test
    void aLargeJpegPhotoIsScaledAndInverted() {
        LabelledImage plain = UserImages.single(in(Images.photo(640, 480, "jpeg")), "3", false, limits, "photo.jpg", Images.decoder());
        LabelledImage inverted = UserImages.single(in(Images.photo(640, 480, "jpeg")), "3", true, limits, "photo.jpg", Images.decoder());
        // centre of the dark rectangle: dark as is, light when inverted; top-left corner is letterbox background 0
        int centre = 14 * 28 + 14;
        assertTrue(Byte.toUnsignedInt(plain.pixels()[centre]) < 100);
        assertTrue(Byte.toUnsignedInt(inverted.pixels()[centre]) > 155);
        assertEquals(0, inverted.pixels()[0]);
        assertNotEquals(plain.batchId(), inverted.batchId());
    }

    @Test
    void batchIdDependsOnContentAndLabelOnly() {
        LabelledImage a = UserImages.single(in(Images.png28(5)), "Coat", false, limits, "a.png", Images.decoder());
        LabelledImage again = UserImages.single(in(Images.png28(5)), "4", false, limits, "other-name.png", Images.decoder());
        LabelledImage otherLabel = UserImages.single(in(Images.png28(5)), "Dress", false, limits, "a.png", Images.decoder());
        LabelledImage otherImage = UserImages.single(in(Images.png28(6)), "Coat", false, limits, "a.png", Images.decoder());
        assertTrue(a.batchId().matches("user-[0-9a-f]{16}"), a.batchId());
        assertEquals(a.batchId(), again.batchId());
        assertNotEquals(a.batchId(), otherLabel.batchId());
        assertNotEquals(a.batchId(), otherImage.batchId());
    }

    @Test
    void garbageIsABadImage() {
        RejectedInputException e = assertThrows(RejectedInputException.class,
                () -> UserImages.single(in("hello, not an image".getBytes()), "7", false, limits, "x", Images.decoder()));
        assertEquals(RejectReason.BAD_IMAGE, e.reason());
    }

    @Test
    void aGifIsABadImage() {
        RejectedInputException e = assertThrows(RejectedInputException.class,
                () -> UserImages.single(in(Images.photo(20, 20, "gif")), "7", false, limits, "x", Images.decoder()));
        assertEquals(RejectReason.BAD_IMAGE, e.reason());
        assertTrue(e.getMessage().contains("GIF"), e.getMessage());
    }

    @Test
    void anEmptyBodyIsABadImage() {
        RejectedInputException e = assertThrows(RejectedInputException.class,
                () -> UserImages.single(in(new byte[0]), "7", false, limits, "x", Images.decoder()));
        assertEquals(RejectReason.BAD_IMAGE, e.reason());
    }

    @Test
    void tooManyBytesIsTooLarge() {
        UploadLimits small = new UploadLimits(1_000, 10_000, 10, 100_000);
        RejectedInputException e = assertThrows(RejectedInputException.class,
                () -> UserImages.single(in(Images.photo(300, 300, "png")), "7", false, small, "x", Images.decoder()));
        assertEquals(RejectReason.TOO_LARGE, e.reason());
        assertEquals(413, e.reason().status());
        assertTrue(e.getMessage().contains("fmnist.ingest.upload.max-bytes"), e.getMessage());
    }

    @Test
    void tooManyDecodedBytesIsTooLarge() {
        // 200x100 RGB needs 200*100*(3 + 4) = 140,000 bytes to decode
        ImageDecoder small = new ImageDecoder(139_999, new DecodeBudget(1 << 20), Duration.ZERO);
        RejectedInputException e = assertThrows(RejectedInputException.class,
                () -> UserImages.single(in(Images.photo(200, 100, "png")), "7", false, limits, "x", small));
        assertEquals(RejectReason.TOO_LARGE, e.reason());
        assertTrue(e.getMessage().contains("200x100"), e.getMessage());
    }

    private static InputStream in(byte[] bytes) {
        return new ByteArrayInputStream(bytes);
    }
}
