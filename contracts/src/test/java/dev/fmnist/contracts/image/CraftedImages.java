package dev.fmnist.contracts.image;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** Hand-made PNGs and JPEGs, hostile ones included, byte by byte. */
final class CraftedImages {
    static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10};

    private CraftedImages() {
    }

    /** One chunk: length, type, data, CRC over type and data. */
    static byte[] chunk(String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        return ByteBuffer.allocate(12 + data.length).putInt(data.length).put(t).put(data).putInt((int) crc.getValue()).array();
    }

    static byte[] ihdr(int w, int h, int depth, int colour, int interlace) {
        return chunk("IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) depth).put((byte) colour)
                .put((byte) 0).put((byte) 0).put((byte) interlace).array());
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] zlib(byte[] data) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return out.toByteArray();
    }

    /** zlib of {@code zeros} zero bytes, streamed so the zeros never exist as one array. */
    static byte[] zlibZeros(long zeros) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
        byte[] in = new byte[1 << 20];
        byte[] buf = new byte[1 << 16];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (long left = zeros; left > 0; left -= in.length) {
            d.setInput(in, 0, (int) Math.min(in.length, left));
            while (!d.needsInput()) {
                out.write(buf, 0, d.deflate(buf));
            }
        }
        d.finish();
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return out.toByteArray();
    }

    /**
     * The 61-byte bomb of the issue: a PNG declaring 6324x6324 16-bit RGBA (480 MB decoded with the
     * luma array), all CRCs correct; its IDAT is 4 bytes of zlib (an empty final block).
     */
    static byte[] pngBomb() {
        return concat(PNG_SIGNATURE, ihdr(6324, 6324, 16, 6, 0), chunk("IDAT", new byte[] {0x78, (byte) 0x9C, 0x03, 0x00}), chunk("IEND", new byte[0]));
    }

    /** A JPEG whose frame header declares width x height, 3 components, followed by EOI. */
    static byte[] jpegBomb(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(2 + 2 + 17 + 2);
        b.put((byte) 0xFF).put((byte) 0xD8);
        b.put((byte) 0xFF).put((byte) 0xC0).putShort((short) 17).put((byte) 8).putShort((short) height).putShort((short) width)
                .put((byte) 3);
        for (int c = 1; c <= 3; c++) {
            b.put((byte) c).put((byte) 0x11).put((byte) 0);
        }
        b.put((byte) 0xFF).put((byte) 0xD9);
        return b.array();
    }

    /** Offset of the first chunk of this type in a PNG. */
    static int chunkOffset(byte[] png, String type) {
        int pos = 8;
        while (pos + 8 <= png.length) {
            int length = ByteBuffer.wrap(png, pos, 4).getInt();
            if (new String(png, pos + 4, 4, StandardCharsets.US_ASCII).equals(type)) {
                return pos;
            }
            pos += 12 + length;
        }
        throw new IllegalArgumentException("no " + type + " chunk");
    }

    /** The PNG with {@code extra} inserted just before its first IDAT chunk. */
    static byte[] insertBeforeIdat(byte[] png, byte[] extra) {
        int at = chunkOffset(png, "IDAT");
        return concat(java.util.Arrays.copyOf(png, at), extra, java.util.Arrays.copyOfRange(png, at, png.length));
    }
}
