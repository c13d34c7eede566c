package dev.fmnist.ingest.testing;

import dev.fmnist.contracts.image.DecodeBudget;
import dev.fmnist.contracts.image.ImageConverter;
import dev.fmnist.contracts.image.ImageDecoder;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import javax.imageio.ImageIO;

/** Small images for upload tests. */
public final class Images {
    private Images() {
    }

    /** A 28x28 grayscale PNG whose pixels are a simple pattern that depends on seed. */
    public static byte[] png28(int seed) {
        return ImageConverter.encodePng(pixels28(seed));
    }

    /** The decoder the services build, with the default limit and a budget of 256 MiB. */
    public static ImageDecoder decoder() {
        return new ImageDecoder(ImageConverter.DEFAULT_MAX_DECODED_BYTES, new DecodeBudget(256L << 20), Duration.ofSeconds(1));
    }

    /** 61 bytes: a PNG declaring 6324x6324 16-bit RGBA, CRCs correct, a 4-byte IDAT (the bomb). */
    public static byte[] pngBomb() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        out.writeBytes(chunk("IHDR", java.nio.ByteBuffer.allocate(13).putInt(6324).putInt(6324).put((byte) 16).put((byte) 6)
                .put((byte) 0).put((byte) 0).put((byte) 0).array()));
        out.writeBytes(chunk("IDAT", new byte[] {0x78, (byte) 0x9C, 0x03, 0x00}));
        out.writeBytes(chunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    private static byte[] chunk(String type, byte[] data) {
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(t);
        crc.update(data);
        return java.nio.ByteBuffer.allocate(12 + data.length).putInt(data.length).put(t).put(data)
                .putInt((int) crc.getValue()).array();
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
