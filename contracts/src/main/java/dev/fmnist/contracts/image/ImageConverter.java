package dev.fmnist.contracts.image;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.memory.ByteBudget;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Turns a PNG or JPEG of any size into a Fashion-MNIST image: 28x28 uint8 grayscale, light object
 * on a dark (0) background. The image is converted to luma (ITU-R BT.601), scaled with area
 * averaging so its longer side is 28 and centred on a background of 0. A 28x28 grayscale image
 * keeps its pixel values exactly, so a PNG of a Fashion-MNIST image scores like its raw bytes.
 * {@code invert} turns a dark-on-light product photo into light-on-dark; transparent areas count
 * as background either way.
 *
 * <p>Nothing is decoded before the header has been read and the memory decoding will need
 * ({@link ImageHeader#decodedBytes()}) has been checked against a limit, and before the whole file has
 * been checked for corruption (PNG chunk CRCs, truncation; see {@code EncodedImage}).
 */
public final class ImageConverter {
    /** Images above this many pixels are refused before decoding by the static methods. */
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;
    /** Images whose decoding needs more bytes ({@link ImageHeader#decodedBytes()}) are refused before decoding. */
    public static final long DEFAULT_MAX_DECODED_BYTES = 128L << 20;

    private ImageConverter() {
    }

    /**
     * Converts with the default limits and no shared budget; for tools and tests. Services use an
     * {@link ImageDecoder}, which also bounds concurrent decodes.
     */
    public static byte[] toFashionMnist(byte[] encoded, boolean invert) {
        return toFashionMnist(encoded, invert, DEFAULT_MAX_PIXELS);
    }

    /** @throws ImageFormatException when the bytes are not a readable PNG/JPEG or it is too large */
    public static byte[] toFashionMnist(byte[] encoded, boolean invert, long maxPixels) {
        ImageHeader header = header(encoded);
        if (header.pixels() > maxPixels) {
            throw new ImageFormatException("image of " + header.width() + "x" + header.height() + " exceeds the limit of "
                    + maxPixels + " pixels", true);
        }
        return convert(encoded, header, invert, DEFAULT_MAX_DECODED_BYTES, null, Duration.ZERO);
    }

    /**
     * Reads and checks the header alone (format, dimensions, sample layout): a few dozen bytes for a
     * PNG, the segments up to the frame header for a JPEG.
     *
     * @throws ImageFormatException when it is not a well-formed PNG/JPEG header
     */
    public static ImageHeader header(byte[] encoded) {
        if (encoded == null || encoded.length == 0) {
            throw new ImageFormatException("empty image");
        }
        if (!EncodedImage.isPng(encoded) && !EncodedImage.isJpeg(encoded)) {
            throw new ImageFormatException(unsupportedFormat(encoded));
        }
        return EncodedImage.header(encoded);
    }

    /**
     * The conversion proper, in this order: the size from the header against {@code maxDecodedBytes};
     * the whole structure (PNG CRCs, truncation); the size again (a PNG tRNS chunk adds a channel);
     * the budget, when there is one; only then ImageIO.
     */
    static byte[] convert(byte[] encoded, ImageHeader declared, boolean invert, long maxDecodedBytes,
                          DecodeBudget budget, Duration wait) {
        checkSize(declared, maxDecodedBytes);
        EncodedImage.Checked checked = EncodedImage.check(encoded, declared);
        ImageHeader header = checked.header();
        checkSize(header, maxDecodedBytes);
        if (budget == null) {
            return decode(checked, invert);
        }
        // the stream cache holds a copy of the encoded bytes next to the decodable copy
        long cost = saturatedAdd(header.decodedBytes(), 2L * encoded.length);
        try (ByteBudget.Lease lease = budget.acquire(cost, wait)) {
            return decode(checked, invert);
        }
    }

    private static void checkSize(ImageHeader header, long maxDecodedBytes) {
        if (header.decodedBytes() > maxDecodedBytes) {
            throw new ImageFormatException("image of " + header.describe() + " needs " + header.decodedBytes()
                    + " bytes to decode, over the limit of " + maxDecodedBytes + " bytes", true);
        }
    }

    private static byte[] decode(EncodedImage.Checked checked, boolean invert) {
        ImageHeader header = checked.header();
        float[] gray;
        List<String> warnings = new ArrayList<>();
        // In memory: ImageIO.createImageInputStream would cache the stream in a temporary file.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(checked.decodable()))) {
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(header.format().toLowerCase(Locale.ROOT));
            if (!readers.hasNext()) {
                throw new IllegalStateException("this JVM has no ImageIO reader for " + header.format());
            }
            ImageReader reader = readers.next();
            try {
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                reader.setInput(in, true, true);
                if (reader.getWidth(0) != header.width() || reader.getHeight(0) != header.height()) {
                    throw new ImageFormatException("cannot decode image: corrupt " + header.format() + ": the decoder sees "
                            + reader.getWidth(0) + "x" + reader.getHeight(0) + ", the header says "
                            + header.width() + "x" + header.height());
                }
                BufferedImage img = reader.read(0);
                if (!warnings.isEmpty()) {
                    // libjpeg reports truncated or corrupt entropy data as a warning and fills in gray
                    throw new ImageFormatException("cannot decode image: corrupt " + header.format() + ": " + warnings.get(0));
                }
                gray = luma(img, invert);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ImageFormatException ife) {
                throw ife;
            }
            throw new ImageFormatException("cannot decode image: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
        return fit(gray, header.width(), header.height());
    }

    /** The message for bytes that are neither PNG nor JPEG: names the format when ImageIO knows it. */
    private static String unsupportedFormat(byte[] encoded) {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (readers.hasNext()) {
                ImageReader reader = readers.next();
                String format = reader.getFormatName().toUpperCase(Locale.ROOT);
                reader.dispose();
                return format + " is not supported: send a PNG or JPEG";
            }
        } catch (IOException e) {
            // fall through: not an image we can name
        }
        return "not a PNG or JPEG image";
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }

    /** Encodes 784 pixels as an 8-bit grayscale 28x28 PNG (lossless: decodes back to the same bytes). */
    public static byte[] encodePng(byte[] pixels) {
        if (pixels.length != FashionMnist.PIXELS) {
            throw new IllegalArgumentException("expected " + FashionMnist.PIXELS + " pixels, got " + pixels.length);
        }
        BufferedImage img = new BufferedImage(FashionMnist.COLS, FashionMnist.ROWS, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, FashionMnist.COLS, FashionMnist.ROWS, pixels);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static float[] luma(BufferedImage img, boolean invert) {
        int w = img.getWidth();
        int h = img.getHeight();
        float[] out = new float[w * h];
        Raster raster = img.getRaster();
        ColorModel cm = img.getColorModel();
        // Gray images (8 or 16 bit, with or without alpha) are read from the raster: getRGB treats
        // a gray colour space as linear light and brightens it to sRGB (37 would become 106).
        boolean gray = cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(cm instanceof IndexColorModel)
                && raster.getNumBands() == cm.getNumComponents() && raster.getNumBands() <= 2;
        boolean alpha = cm.hasAlpha();
        float grayScale = gray ? 255f / ((1 << cm.getComponentSize(0)) - 1) : 0f;
        float alphaScale = gray && alpha ? 1f / ((1 << cm.getComponentSize(1)) - 1) : 0f;
        float background = invert ? 255f : 0f;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float v;
                float a;
                if (gray) {
                    v = raster.getSample(x, y, 0) * grayScale;
                    a = alpha ? raster.getSample(x, y, 1) * alphaScale : 1f;
                } else {
                    int argb = img.getRGB(x, y);
                    v = 0.299f * ((argb >> 16) & 0xFF) + 0.587f * ((argb >> 8) & 0xFF) + 0.114f * (argb & 0xFF);
                    a = alpha ? ((argb >>> 24) & 0xFF) / 255f : 1f;
                }
                if (alpha) {
                    // composite over the background, so transparent areas end up 0 after any inversion
                    v = a * v + (1 - a) * background;
                }
                out[y * w + x] = invert ? 255f - v : v;
            }
        }
        return out;
    }

    /** Area-averages into a box whose longer side is 28, centred on a 28x28 background of 0. */
    private static byte[] fit(float[] src, int w, int h) {
        int size = FashionMnist.ROWS;
        int longer = Math.max(w, h);
        int tw = Math.max(1, Math.round((float) w * size / longer));
        int th = Math.max(1, Math.round((float) h * size / longer));
        int ox = (size - tw) / 2;
        int oy = (size - th) / 2;
        byte[] out = new byte[FashionMnist.PIXELS];
        double sx = (double) w / tw;
        double sy = (double) h / th;
        for (int ty = 0; ty < th; ty++) {
            double y0 = ty * sy;
            double y1 = y0 + sy;
            for (int tx = 0; tx < tw; tx++) {
                double x0 = tx * sx;
                double x1 = x0 + sx;
                double sum = 0;
                double area = 0;
                for (int y = (int) y0; y < Math.min(h, Math.ceil(y1)); y++) {
                    double wy = Math.min(y1, y + 1) - Math.max(y0, y);
                    for (int x = (int) x0; x < Math.min(w, Math.ceil(x1)); x++) {
                        double wgt = wy * (Math.min(x1, x + 1) - Math.max(x0, x));
                        sum += wgt * src[y * w + x];
                        area += wgt;
                    }
                }
                long v = Math.round(sum / area);
                out[(oy + ty) * size + ox + tx] = (byte) Math.max(0, Math.min(255, v));
            }
        }
        return out;
    }
}
