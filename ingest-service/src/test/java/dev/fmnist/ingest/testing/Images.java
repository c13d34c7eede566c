package dev.fmnist.ingest.testing;

import dev.fmnist.contracts.image.ImageConverter;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Small images for upload tests. */
public final class Images {
    private Images() {
    }

    /** A 28x28 grayscale PNG whose pixels are a simple pattern that depends on seed. */
    public static byte[] png28(int seed) {
        return ImageConverter.encodePng(pixels28(seed));
    }

    public static byte[] pixels28(int seed) {
        byte[] p = new byte[784];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) ((i * 7 + seed * 31) % 256);
        }
        return p;
    }

    /** A w x h photo-like image: a dark rectangle on white, as PNG or JPEG. */
    public static byte[] photo(int w, int h, String format) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.DARK_GRAY);
        g.fillRect(w / 4, h / 4, w / 2, h / 2);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
