package dev.fmnist.contracts.image;

import static dev.fmnist.contracts.image.CraftedImages.PNG_SIGNATURE;
import static dev.fmnist.contracts.image.CraftedImages.chunk;
import static dev.fmnist.contracts.image.CraftedImages.concat;
import static dev.fmnist.contracts.image.CraftedImages.ihdr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.memory.ByteBudget;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Bombs, corrupt and truncated files, and the shared decode budget. */
class ImageDecoderTest {
    private static final long MIB = 1 << 20;

    private static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out));
        return out.toByteArray();
    }

    private static BufferedImage scene(int w, int h, int type) {
        BufferedImage img = new BufferedImage(w, h, type);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.BLACK);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.WHITE);
        g.fillOval(w / 4, h / 4, w / 2, h / 2);
        g.dispose();
        return img;
    }

    private static byte[] pixels() {
        byte[] px = new byte[784];
        new Random(7).nextBytes(px);
        return px;
    }

    private static ImageFormatException refused(ImageDecoder decoder, byte[] image) {
        return assertThrows(ImageFormatException.class, () -> decoder.toFashionMnist(image, false));
    }

    private final ImageDecoder decoder = new ImageDecoder(64 * MIB, new DecodeBudget(256 * MIB), Duration.ofMillis(50));

    @Test
    void the61BytePngBombIsRefusedFromItsHeader() {
        byte[] bomb = CraftedImages.pngBomb();
        assertEquals(61, bomb.length);
        ImageHeader header = ImageConverter.header(bomb);
        assertEquals(new ImageHeader("PNG", 6324, 6324, 4, 16, false), header);
        assertEquals(6324L * 6324 * (4 * 2 + 4), header.decodedBytes());
        ImageFormatException e = refused(decoder, bomb);
        assertTrue(e.tooLarge());
        assertEquals("image of 6324x6324 PNG, 4 channels of 16 bits needs " + header.decodedBytes()
                + " bytes to decode, over the limit of " + 64 * MIB + " bytes", e.getMessage());
        // the static API refuses it too: 40 M pixels are under its pixel limit, not under its byte limit
        assertTrue(assertThrows(ImageFormatException.class, () -> ImageConverter.toFashionMnist(bomb, false)).tooLarge());
        assertEquals(256 * MIB, decoder.budget().availableBytes(), "a refused bomb holds no budget");
    }

    @Test
    void aJpegDeclaringAHugeFrameIsRefusedFromItsHeader() {
        ImageFormatException e = refused(decoder, CraftedImages.jpegBomb(65_000, 65_000));
        assertTrue(e.tooLarge());
        assertTrue(e.getMessage().startsWith("image of 65000x65000 JPEG, 3 channels of 8 bits needs"), e.getMessage());
    }

    @Test
    void aProgressiveJpegCountsLibjpegsCoefficientBuffer() throws IOException {
        byte[] jpeg = encode(scene(200, 100, BufferedImage.TYPE_INT_RGB), "jpeg");
        ImageHeader baseline = ImageConverter.header(jpeg);
        assertEquals(new ImageHeader("JPEG", 200, 100, 3, 8, false), baseline);
        byte[] progressive = jpeg.clone();
        int sof = indexOf(progressive, (byte) 0xFF, (byte) 0xC0);
        progressive[sof + 1] = (byte) 0xC2;
        assertEquals(200L * 100 * (3 + 4 + 3 * 2), ImageConverter.header(progressive).decodedBytes());
    }

    @Test
    void aPngWithABadCrcIsRefused() {
        byte[] png = ImageConverter.encodePng(pixels());
        byte[] corrupt = png.clone();
        corrupt[CraftedImages.chunkOffset(png, "IDAT") + 10] ^= 0x01;
        ImageFormatException e = refused(decoder, corrupt);
        assertFalse(e.tooLarge());
        assertEquals("cannot decode image: corrupt PNG: CRC mismatch in chunk IDAT", e.getMessage());
        byte[] badHeader = png.clone();
        badHeader[17] ^= 0x01; // inside IHDR's width
        assertEquals("cannot decode image: corrupt PNG: CRC mismatch in chunk IHDR", refused(decoder, badHeader).getMessage());
    }

    @Test
    void truncatedPngsAndJpegsAreRefusedWherever_theyEnd() throws IOException {
        byte[] png = encode(scene(90, 60, BufferedImage.TYPE_INT_RGB), "png");
        for (int cut : new int[] {20, 40, png.length / 2, png.length - 12, png.length - 1}) {
            ImageFormatException e = refused(decoder, Arrays.copyOf(png, cut));
            assertTrue(e.getMessage().startsWith("cannot decode image: truncated PNG"), cut + ": " + e.getMessage());
        }
        byte[] jpeg = encode(scene(90, 60, BufferedImage.TYPE_INT_RGB), "jpeg");
        for (int cut : new int[] {10, 100, jpeg.length / 2, jpeg.length - 2}) {
            ImageFormatException e = refused(decoder, Arrays.copyOf(jpeg, cut));
            assertTrue(e.getMessage().startsWith("cannot decode image: truncated JPEG"), cut + ": " + e.getMessage());
            assertFalse(e.tooLarge());
        }
    }

    @Test
    void structuralDamageIsNamed() {
        byte[] noData = concat(PNG_SIGNATURE, ihdr(28, 28, 8, 0, 0), chunk("IEND", new byte[0]));
        assertEquals("cannot decode image: corrupt PNG: no IDAT chunk", refused(decoder, noData).getMessage());
        byte[] unknownCritical = CraftedImages.insertBeforeIdat(ImageConverter.encodePng(pixels()), chunk("ABCD", new byte[3]));
        assertEquals("cannot decode image: unsupported PNG: unknown critical chunk ABCD",
                refused(decoder, unknownCritical).getMessage());
        byte[] badDepth = concat(PNG_SIGNATURE, ihdr(28, 28, 3, 0, 0), chunk("IEND", new byte[0]));
        assertTrue(refused(decoder, badDepth).getMessage().contains("bit depth 3"));
    }

    @Test
    void anIdatThatInflatesFarBeyondTheDeclaredSizeIsOnlyInflatedAsFarAsDeclared() {
        // 28 rows of 28 gray pixels (filter byte 0 each), then 64 MiB more zeros in the same zlib stream
        byte[] rows = new byte[28 * 29];
        byte[] px = pixels();
        for (int y = 0; y < 28; y++) {
            System.arraycopy(px, y * 28, rows, y * 29 + 1, 28);
        }
        byte[] stream = CraftedImages.zlib(concat(rows, new byte[64 << 20]));
        assertTrue(stream.length < 200_000, "compressed " + stream.length);
        byte[] png = concat(PNG_SIGNATURE, ihdr(28, 28, 8, 0, 0), chunk("IDAT", stream), chunk("IEND", new byte[0]));
        long start = System.nanoTime();
        assertArrayEquals(px, decoder.toFashionMnist(png, false));
        // inflating all of it would take ~100 ms or more; ImageIO reads the 812 declared bytes and stops
        assertTrue(System.nanoTime() - start < 5_000_000_000L);
    }

    @Test
    void compressedAncillaryChunksNeverReachImageIo() throws IOException {
        // a palette PNG: ImageIO reads its metadata and would inflate a zTXt chunk without a bound
        BufferedImage indexed = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_INDEXED);
        Graphics2D g = indexed.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(7, 7, 14, 14);
        g.dispose();
        byte[] png = encode(indexed, "png");
        byte[] expected = ImageConverter.toFashionMnist(png, false);
        byte[] zTxt = concat("Comment".getBytes(StandardCharsets.ISO_8859_1), new byte[] {0, 0},
                CraftedImages.zlibZeros(256L << 20));
        byte[] bomb = CraftedImages.insertBeforeIdat(png, chunk("zTXt", zTxt));
        assertTrue(bomb.length < 400_000, "bomb " + bomb.length);
        assertArrayEquals(expected, decoder.toFashionMnist(bomb, false));
    }

    @Test
    void aTransparentColourAddsTheAlphaChannelImageIoCreates() {
        byte[] png = ImageConverter.encodePng(pixels());
        byte[] withTrns = CraftedImages.insertBeforeIdat(png, chunk("tRNS", new byte[] {0, 0}));
        assertEquals(1, ImageConverter.header(withTrns).channels(), "the header alone says gray");
        ImageDecoder tight = new ImageDecoder(28 * 28 * (1 + 4), new DecodeBudget(MIB), Duration.ZERO);
        assertEquals(784, tight.toFashionMnist(png, false).length);
        assertTrue(refused(tight, withTrns).tooLarge(), "gray + alpha needs one byte more per pixel");
    }

    @Test
    void aBusyBudgetGivesUpAfterTheWaitAndFreesOnClose() throws IOException {
        DecodeBudget budget = new DecodeBudget(4 * MIB);
        ImageDecoder small = new ImageDecoder(4 * MIB, budget, Duration.ofMillis(100));
        byte[] png = encode(scene(400, 400, BufferedImage.TYPE_INT_RGB), "png"); // 400*400*7 = 1.1 MB
        try (ByteBudget.Lease held = budget.acquire(3 * MIB, Duration.ZERO)) {
            long start = System.nanoTime();
            DecodeBusyException e = assertThrows(DecodeBusyException.class, () -> small.toFashionMnist(png, false));
            assertTrue(System.nanoTime() - start >= 90_000_000L, "waited for the budget first");
            assertEquals(1, e.retryAfterSeconds());
            assertTrue(e.getMessage().contains("too many images are being decoded at once"), e.getMessage());
        }
        assertEquals(784, small.toFashionMnist(png, false).length);
        assertEquals(4 * MIB, budget.availableBytes(), "released after the decode");
    }

    @Test
    void anImageLargerThanTheWholeBudgetIsTooLargeNotBusy() throws IOException {
        ImageDecoder small = new ImageDecoder(64 * MIB, new DecodeBudget(MIB), Duration.ofSeconds(5));
        byte[] png = encode(scene(400, 400, BufferedImage.TYPE_INT_RGB), "png");
        ImageFormatException e = refused(small, png);
        assertTrue(e.tooLarge());
        assertTrue(e.getMessage().contains("more than the whole decode budget"), e.getMessage());
    }

    @Test
    void legalImagesConvertExactlyAsTheStaticPath() throws IOException {
        for (BufferedImage img : new BufferedImage[] {scene(200, 100, BufferedImage.TYPE_INT_RGB),
                scene(60, 90, BufferedImage.TYPE_INT_ARGB), scene(640, 480, BufferedImage.TYPE_BYTE_GRAY)}) {
            for (String format : new String[] {"png", "jpeg"}) {
                if (format.equals("jpeg") && img.getColorModel().hasAlpha()) {
                    continue;
                }
                byte[] data = encode(img, format);
                assertArrayEquals(ImageConverter.toFashionMnist(data, false), decoder.toFashionMnist(data, false));
                assertArrayEquals(ImageConverter.toFashionMnist(data, true), decoder.toFashionMnist(data, true));
            }
        }
    }

    private static int indexOf(byte[] b, byte first, byte second) {
        for (int i = 0; i + 1 < b.length; i++) {
            if (b[i] == first && b[i + 1] == second) {
                return i;
            }
        }
        throw new IllegalArgumentException("not found");
    }
}
