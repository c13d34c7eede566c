package dev.fmnist.contracts.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageConverterTest {
    private static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out), "no ImageIO writer for " + format);
        return out.toByteArray();
    }

    /** Every value 0-255 at least three times, in a scrambled order. */
    private static byte[] allValues() {
        byte[] pixels = new byte[784];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) ((i * 37) % 256);
        }
        return pixels;
    }

    /** A w x h image of `background` with a `object`-coloured rectangle in the middle fifth. */
    private static BufferedImage scene(int w, int h, int type, int background, int object) {
        BufferedImage img = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean inside = x >= 2 * w / 5 && x < 3 * w / 5 && y >= 2 * h / 5 && y < 3 * h / 5;
                img.setRGB(x, y, inside ? object : background);
            }
        }
        return img;
    }

    private static int at(byte[] img, int row, int col) {
        return Byte.toUnsignedInt(img[row * 28 + col]);
    }

    /** Intensity-weighted centre (row, col) of a 28x28 image. */
    private static double[] centroid(byte[] img) {
        double sum = 0;
        double r = 0;
        double c = 0;
        for (int i = 0; i < 784; i++) {
            int v = Byte.toUnsignedInt(img[i]);
            sum += v;
            r += v * (i / 28);
            c += v * (i % 28);
        }
        return new double[] {r / sum, c / sum};
    }

    /** Object centred, background at most `noise` inside the scaled box and exactly 0 in the padding. */
    private static void assertCentredObject(byte[] out, int w, int h, int noise) {
        assertEquals(784, out.length);
        // a box of odd size sits half a pixel off the middle of the 28-pixel grid
        double[] centre = centroid(out);
        assertEquals(13.5, centre[0], 0.55, "row centre");
        assertEquals(13.5, centre[1], 0.55, "col centre");
        int tw = Math.round(28f * w / Math.max(w, h));
        int th = Math.round(28f * h / Math.max(w, h));
        int ox = (28 - tw) / 2;
        int oy = (28 - th) / 2;
        int peak = 0;
        for (int row = 0; row < 28; row++) {
            for (int col = 0; col < 28; col++) {
                int v = at(out, row, col);
                peak = Math.max(peak, v);
                boolean inBox = row >= oy && row < oy + th && col >= ox && col < ox + tw;
                // the object covers the middle fifth of the box; one pixel of margin for the edges
                boolean nearObject = row >= oy + 2 * th / 5 - 1 && row <= oy + 3 * th / 5
                        && col >= ox + 2 * tw / 5 - 1 && col <= ox + 3 * tw / 5;
                if (!inBox) {
                    assertEquals(0, v, "padding at " + row + "," + col);
                } else if (!nearObject) {
                    assertTrue(v <= noise, "background " + v + " at " + row + "," + col);
                }
            }
        }
        assertTrue(peak >= 240, "object peak " + peak);
    }

    @Test
    void a28x28GrayPngRoundTripsExactly() {
        byte[] pixels = allValues();
        byte[] png = ImageConverter.encodePng(pixels);
        assertEquals((byte) 0x89, png[0]);
        assertEquals("PNG", new String(png, 1, 3, StandardCharsets.US_ASCII));
        assertArrayEquals(pixels, ImageConverter.toFashionMnist(png, false));
        byte[] inverted = ImageConverter.toFashionMnist(png, true);
        for (int i = 0; i < 784; i++) {
            assertEquals(255 - Byte.toUnsignedInt(pixels[i]), Byte.toUnsignedInt(inverted[i]));
        }
    }

    @Test
    void grayPngsWithAlphaOr16BitsKeepTheirValues() throws IOException {
        byte[] pixels = allValues();
        ColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster raster = cm.createCompatibleWritableRaster(28, 28);
        BufferedImage grayAlpha = new BufferedImage(cm, raster, false, null);
        BufferedImage gray16 = new BufferedImage(28, 28, BufferedImage.TYPE_USHORT_GRAY);
        for (int i = 0; i < 784; i++) {
            int v = Byte.toUnsignedInt(pixels[i]);
            raster.setSample(i % 28, i / 28, 0, v);
            raster.setSample(i % 28, i / 28, 1, 255);
            gray16.getRaster().setSample(i % 28, i / 28, 0, v * 257);
        }
        assertArrayEquals(pixels, ImageConverter.toFashionMnist(encode(grayAlpha, "png"), false), "gray + alpha");
        assertArrayEquals(pixels, ImageConverter.toFashionMnist(encode(gray16, "png"), false), "16-bit gray");
        // fully transparent gray pixels are background
        for (int i = 0; i < 784; i++) {
            raster.setSample(i % 28, i / 28, 1, 0);
        }
        assertArrayEquals(new byte[784], ImageConverter.toFashionMnist(encode(grayAlpha, "png"), false));
        assertArrayEquals(new byte[784], ImageConverter.toFashionMnist(encode(grayAlpha, "png"), true));
    }

    @ParameterizedTest
    @CsvSource({"0xFF0000,76", "0x00FF00,150", "0x0000FF,29", "0xFFFFFF,255", "0x808080,128"})
    void colourBecomesBt601Luma(String rgb, int luma) throws IOException {
        BufferedImage img = scene(28, 28, BufferedImage.TYPE_INT_RGB, Integer.decode(rgb), Integer.decode(rgb));
        byte[] out = ImageConverter.toFashionMnist(encode(img, "png"), false);
        byte[] expected = new byte[784];
        Arrays.fill(expected, (byte) luma);
        assertArrayEquals(expected, out);
    }

    @ParameterizedTest
    @CsvSource({"200,100", "90,150", "640,480"})
    void aLargerRgbPngIsScaledAndCentred(int w, int h) throws IOException {
        byte[] png = encode(scene(w, h, BufferedImage.TYPE_INT_RGB, 0x000000, 0xFFFFFF), "png");
        assertCentredObject(ImageConverter.toFashionMnist(png, false), w, h, 0);
    }

    @Test
    void aJpegIsScaledAndCentred() throws IOException {
        byte[] jpeg = encode(scene(200, 100, BufferedImage.TYPE_INT_RGB, 0x000000, 0xF0F0F0), "jpeg");
        assertEquals((byte) 0xFF, jpeg[0]);
        assertEquals((byte) 0xD8, jpeg[1]);
        byte[] out = ImageConverter.toFashionMnist(jpeg, false);
        // a JPEG's ringing leaves a trace of noise next to edges; none reaches the padding
        assertCentredObject(out, 200, 100, 4);
    }

    @Test
    void invertTurnsAWhiteBackgroundIntoZero() throws IOException {
        BufferedImage photo = scene(120, 160, BufferedImage.TYPE_INT_RGB, 0xFFFFFF, 0x000000);
        byte[] out = ImageConverter.toFashionMnist(encode(photo, "png"), true);
        assertCentredObject(out, 120, 160, 0);
        byte[] plain = ImageConverter.toFashionMnist(encode(photo, "png"), false);
        assertEquals(255, at(plain, 0, 14), "inside the box, not inverted: white");
        assertEquals(0, at(plain, 14, 0), "padding is always 0");
    }

    @Test
    void transparentBackgroundIsBackground() throws IOException {
        // transparent white around an opaque white object: without invert the white must not show
        BufferedImage light = scene(60, 40, BufferedImage.TYPE_INT_ARGB, 0x00FFFFFF, 0xFFFFFFFF);
        assertCentredObject(ImageConverter.toFashionMnist(encode(light, "png"), false), 60, 40, 0);
        // transparent black around an opaque black object, inverted: the black must not show either
        BufferedImage dark = scene(60, 40, BufferedImage.TYPE_INT_ARGB, 0x00000000, 0xFF000000);
        assertCentredObject(ImageConverter.toFashionMnist(encode(dark, "png"), true), 60, 40, 0);
    }

    @Test
    void rejectsGarbageAndEmptyInput() {
        byte[] garbage = new byte[1000];
        new Random(5).nextBytes(garbage);
        garbage[0] = 'x';
        assertEquals("not a PNG or JPEG image",
                assertThrows(ImageFormatException.class, () -> ImageConverter.toFashionMnist(garbage, false)).getMessage());
        assertEquals("empty image",
                assertThrows(ImageFormatException.class, () -> ImageConverter.toFashionMnist(new byte[0], false)).getMessage());
        assertEquals("empty image",
                assertThrows(ImageFormatException.class, () -> ImageConverter.toFashionMnist(null, false)).getMessage());
    }

    @Test
    void rejectsATruncatedPng() {
        byte[] png = ImageConverter.encodePng(allValues());
        ImageFormatException e = assertThrows(ImageFormatException.class,
                () -> ImageConverter.toFashionMnist(Arrays.copyOf(png, png.length / 2), false));
        assertTrue(e.getMessage().startsWith("cannot decode image"), e.getMessage());
        assertFalse(e.tooLarge());
    }

    @Test
    void rejectsGifAndBmpNamingTheAcceptedFormats() throws IOException {
        BufferedImage img = scene(28, 28, BufferedImage.TYPE_INT_RGB, 0, 0xFFFFFF);
        for (String format : new String[] {"gif", "bmp"}) {
            byte[] data = encode(img, format);
            ImageFormatException e = assertThrows(ImageFormatException.class, () -> ImageConverter.toFashionMnist(data, false));
            assertEquals(format.toUpperCase() + " is not supported: send a PNG or JPEG", e.getMessage());
            assertFalse(e.tooLarge());
        }
    }

    @Test
    void refusesImagesOverThePixelLimitBeforeDecoding() throws IOException {
        byte[] png = encode(scene(100, 100, BufferedImage.TYPE_INT_RGB, 0, 0xFFFFFF), "png");
        ImageFormatException small = assertThrows(ImageFormatException.class,
                () -> ImageConverter.toFashionMnist(png, false, 9_999));
        assertTrue(small.tooLarge());
        assertEquals("image of 100x100 exceeds the limit of 9999 pixels", small.getMessage());
        assertEquals(784, ImageConverter.toFashionMnist(png, false, 10_000).length);

        // a PNG header announcing 20000x20000 with no image data: refused from the header alone
        ImageFormatException bomb = assertThrows(ImageFormatException.class,
                () -> ImageConverter.toFashionMnist(pngHeaderOnly(20_000, 20_000), false));
        assertTrue(bomb.tooLarge());
        assertTrue(bomb.getMessage().contains("20000x20000 exceeds the limit of " + ImageConverter.DEFAULT_MAX_PIXELS), bomb.getMessage());
    }

    @Test
    void encodePngRefusesAWrongLength() {
        assertThrows(IllegalArgumentException.class, () -> ImageConverter.encodePng(new byte[783]));
    }

    /** PNG signature, an IHDR chunk (8-bit gray) and IEND. */
    private static byte[] pngHeaderOnly(int w, int h) {
        ByteBuffer ihdr = ByteBuffer.allocate(17).put("IHDR".getBytes(StandardCharsets.US_ASCII))
                .putInt(w).putInt(h).put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        CRC32 endCrc = new CRC32();
        endCrc.update("IEND".getBytes(StandardCharsets.US_ASCII));
        return ByteBuffer.allocate(8 + 4 + 17 + 4 + 12)
                .put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10})
                .putInt(13).put(ihdr.array()).putInt((int) crc.getValue())
                .putInt(0).put("IEND".getBytes(StandardCharsets.US_ASCII)).putInt((int) endCrc.getValue())
                .array();
    }
}
