package dev.fmnist.contracts.image;

import java.io.ByteArrayOutputStream;
import java.util.zip.CRC32;

/**
 * The structure of an encoded PNG or JPEG, checked without decoding pixels: first the header (so a
 * bomb is refused after reading a few dozen bytes), then the whole file (PNG chunk CRCs, chunk order
 * and completeness; JPEG marker segments through to the end-of-image marker). Strict on purpose:
 * what ImageIO would decode must be exactly what was measured here.
 */
final class EncodedImage {
    /** A progressive JPEG is decoded once per scan; real encoders write about ten. */
    static final int MAX_JPEG_SCANS = 200;

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10};
    private static final int IHDR = type("IHDR");
    private static final int PLTE = type("PLTE");
    private static final int IDAT = type("IDAT");
    private static final int IEND = type("IEND");
    private static final int TRNS = type("tRNS");
    private static final int PNG_HEADER_END = 8 + 8 + 13 + 4;

    /** A checked image: its header (final channel count) and the bytes to hand to ImageIO. */
    record Checked(ImageHeader header, byte[] decodable) {
    }

    private EncodedImage() {
    }

    static boolean isPng(byte[] b) {
        if (b.length < PNG_SIGNATURE.length) {
            return false;
        }
        for (int i = 0; i < PNG_SIGNATURE.length; i++) {
            if (b[i] != PNG_SIGNATURE[i]) {
                return false;
            }
        }
        return true;
    }

    static boolean isJpeg(byte[] b) {
        return b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF;
    }

    /** The header alone; the caller checks the size before anything else is looked at. */
    static ImageHeader header(byte[] b) {
        return isPng(b) ? pngHeader(b) : jpegHeader(b);
    }

    /** The whole structure; {@code header} came from {@link #header}. */
    static Checked check(byte[] b, ImageHeader header) {
        return header.format().equals("PNG") ? checkPng(b, header) : checkJpeg(b, header);
    }

    // ---- PNG ----

    private static ImageHeader pngHeader(byte[] b) {
        if (b.length < PNG_HEADER_END) {
            throw bad("truncated PNG: " + b.length + " bytes end inside the IHDR header");
        }
        if (u32(b, 8) != 13 || s32(b, 12) != IHDR) {
            throw bad("corrupt PNG: the first chunk is not a 13-byte IHDR");
        }
        checkCrc(b, 12, 13, "IHDR");
        long w = u32(b, 16);
        long h = u32(b, 20);
        int depth = b[24] & 0xFF;
        int colour = b[25] & 0xFF;
        if (w == 0 || h == 0 || w > Integer.MAX_VALUE || h > Integer.MAX_VALUE) {
            throw bad("corrupt PNG: IHDR declares " + w + "x" + h);
        }
        int channels = switch (colour) {
            case 0, 3 -> 1;
            case 2 -> 3;
            case 4 -> 2;
            case 6 -> 4;
            default -> throw bad("corrupt PNG: colour type " + colour);
        };
        boolean depthOk = switch (colour) {
            case 0 -> depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
            case 3 -> depth == 1 || depth == 2 || depth == 4 || depth == 8;
            default -> depth == 8 || depth == 16;
        };
        if (!depthOk) {
            throw bad("corrupt PNG: bit depth " + depth + " with colour type " + colour);
        }
        if (b[26] != 0 || b[27] != 0 || (b[28] != 0 && b[28] != 1)) {
            throw bad("corrupt PNG: unknown compression, filter or interlace method in IHDR");
        }
        return new ImageHeader("PNG", (int) w, (int) h, channels, depth, false);
    }

    /**
     * Walks every chunk after IHDR: complete, CRC correct, critical chunks known and in order.
     * Returns a copy holding only IHDR, PLTE, tRNS, IDAT and IEND: ImageIO parses (and inflates,
     * without a bound, for a palette image) ancillary chunks such as zTXt, iTXt and iCCP that the
     * pixels do not depend on.
     */
    private static Checked checkPng(byte[] b, ImageHeader header) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length);
        out.write(b, 0, PNG_HEADER_END);
        boolean palette = false;
        boolean transparency = false;
        boolean dataSeen = false;
        boolean dataEnded = false;
        int pos = PNG_HEADER_END;
        while (true) {
            if (b.length - pos < 12) {
                throw bad("truncated PNG: it ends after " + b.length + " bytes without an IEND chunk");
            }
            long length = u32(b, pos);
            int type = s32(b, pos + 4);
            String name = typeName(b, pos + 4);
            if (length > b.length - pos - 12L) {
                throw bad("truncated PNG: chunk " + name + " declares " + length + " bytes, " + (b.length - pos - 12)
                        + " remain");
            }
            checkCrc(b, pos + 4, (int) length, name);
            int chunkEnd = pos + 12 + (int) length;
            boolean keep = true;
            if (type == IDAT) {
                if (dataEnded) {
                    throw bad("corrupt PNG: IDAT chunks are not consecutive");
                }
                if (isPaletteType(b) && !palette) {
                    throw bad("corrupt PNG: a palette image without a PLTE chunk before its data");
                }
                dataSeen = true;
            } else {
                dataEnded = dataSeen;
                if (type == IEND) {
                    if (!dataSeen) {
                        throw bad("corrupt PNG: no IDAT chunk");
                    }
                    out.write(b, pos, 12 + (int) length);
                    break;
                } else if (type == PLTE) {
                    if (palette || dataSeen) {
                        throw bad("corrupt PNG: PLTE repeated or after the image data");
                    }
                    palette = true;
                } else if (type == TRNS) {
                    if (dataSeen) {
                        throw bad("corrupt PNG: tRNS after the image data");
                    }
                    transparency = true;
                } else if (type == IHDR) {
                    throw bad("corrupt PNG: a second IHDR chunk");
                } else if ((b[pos + 4] & 0x20) == 0) {
                    // an unknown critical chunk (upper-case first letter) must not be ignored
                    throw bad("unsupported PNG: unknown critical chunk " + name);
                } else {
                    keep = false;
                }
            }
            if (keep) {
                out.write(b, pos, chunkEnd - pos);
            }
            pos = chunkEnd;
        }
        // ImageIO gives a gray or RGB image with a tRNS colour an alpha channel
        ImageHeader checked = transparency && !isPaletteType(b) && (header.channels() == 1 || header.channels() == 3)
                ? header.withChannels(header.channels() + 1) : header;
        return new Checked(checked, out.toByteArray());
    }

    private static boolean isPaletteType(byte[] b) {
        return (b[25] & 0xFF) == 3;
    }

    private static void checkCrc(byte[] b, int typeOffset, int dataLength, String name) {
        CRC32 crc = new CRC32();
        crc.update(b, typeOffset, 4 + dataLength);
        if (crc.getValue() != u32(b, typeOffset + 4 + dataLength)) {
            throw bad("corrupt PNG: CRC mismatch in chunk " + name);
        }
    }

    // ---- JPEG ----

    private static ImageHeader jpegHeader(byte[] b) {
        int pos = 2;
        while (true) {
            int marker = nextMarker(b, pos);
            pos = markerEnd(b, pos);
            if (marker == 0xD9 || marker == 0xDA) {
                throw bad("corrupt JPEG: no frame header (SOF) before " + (marker == 0xD9 ? "the end" : "the scan data"));
            }
            if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7)) {
                throw bad("corrupt JPEG: unexpected marker 0x" + Integer.toHexString(marker) + " before the frame header");
            }
            if (marker == 0x01) {
                continue;
            }
            int length = segmentLength(b, pos, marker);
            if (isSof(marker)) {
                if (marker != 0xC0 && marker != 0xC1 && marker != 0xC2) {
                    throw bad("unsupported JPEG: only baseline, extended and progressive Huffman JPEGs are read (SOF 0x"
                            + Integer.toHexString(marker) + ")");
                }
                if (length < 8) {
                    throw bad("corrupt JPEG: frame header of " + length + " bytes");
                }
                int precision = b[pos + 2] & 0xFF;
                int h = u16(b, pos + 3);
                int w = u16(b, pos + 5);
                int components = b[pos + 7] & 0xFF;
                if (length != 8 + 3 * components) {
                    throw bad("corrupt JPEG: frame header length " + length + " for " + components + " components");
                }
                if (precision != 8) {
                    throw bad("unsupported JPEG: " + precision + "-bit samples (only 8-bit JPEGs are read)");
                }
                if (w == 0 || h == 0) {
                    throw bad("unsupported JPEG: frame header declares " + w + "x" + h + " (a height given later by DNL is not read)");
                }
                if (components != 1 && components != 3 && components != 4) {
                    throw bad("unsupported JPEG: " + components + " colour components");
                }
                return new ImageHeader("JPEG", w, h, components, 8, marker == 0xC2);
            }
            pos += length;
        }
    }

    /** Every segment through EOI: one frame header, at least one scan, at most {@value #MAX_JPEG_SCANS}. */
    private static Checked checkJpeg(byte[] b, ImageHeader header) {
        int pos = 2;
        int frames = 0;
        int scans = 0;
        while (true) {
            int marker = nextMarker(b, pos);
            pos = markerEnd(b, pos);
            if (marker == 0xD9) {
                if (scans == 0) {
                    throw bad("corrupt JPEG: no scan data");
                }
                return new Checked(header, b);
            }
            if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7 && scans == 0)) {
                throw bad("corrupt JPEG: unexpected marker 0x" + Integer.toHexString(marker));
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                continue;
            }
            int length = segmentLength(b, pos, marker);
            if (isSof(marker) && ++frames > 1) {
                throw bad("corrupt JPEG: more than one frame header");
            }
            pos += length;
            if (marker == 0xDA) {
                if (frames == 0) {
                    throw bad("corrupt JPEG: scan data before the frame header");
                }
                if (++scans > MAX_JPEG_SCANS) {
                    throw bad("unsupported JPEG: more than " + MAX_JPEG_SCANS + " scans");
                }
                pos = entropyEnd(b, pos);
            }
        }
    }

    /** The position of the next marker after entropy-coded data (0xFF00 is a stuffed byte, RSTn stays inside). */
    private static int entropyEnd(byte[] b, int pos) {
        for (int i = pos; i < b.length - 1; i++) {
            if ((b[i] & 0xFF) == 0xFF) {
                int next = b[i + 1] & 0xFF;
                if (next != 0 && next != 0xFF && !(next >= 0xD0 && next <= 0xD7)) {
                    return i;
                }
            }
        }
        throw bad("truncated JPEG: the scan data has no end-of-image marker");
    }

    private static int nextMarker(byte[] b, int pos) {
        if (pos >= b.length || (b[pos] & 0xFF) != 0xFF) {
            throw pos >= b.length ? bad("truncated JPEG: it ends after " + b.length + " bytes without an end-of-image marker")
                    : bad("corrupt JPEG: no marker at byte " + pos);
        }
        int i = pos;
        while (i < b.length && (b[i] & 0xFF) == 0xFF) {
            i++; // fill bytes
        }
        if (i >= b.length) {
            throw bad("truncated JPEG: it ends after " + b.length + " bytes without an end-of-image marker");
        }
        return b[i] & 0xFF;
    }

    private static int markerEnd(byte[] b, int pos) {
        int i = pos;
        while ((b[i] & 0xFF) == 0xFF) {
            i++;
        }
        return i + 1;
    }

    private static int segmentLength(byte[] b, int pos, int marker) {
        if (b.length - pos < 2) {
            throw bad("truncated JPEG: it ends inside the segment of marker 0x" + Integer.toHexString(marker));
        }
        int length = u16(b, pos);
        if (length < 2 || length > b.length - pos) {
            throw bad("truncated JPEG: segment 0x" + Integer.toHexString(marker) + " declares " + length + " bytes, "
                    + (b.length - pos) + " remain");
        }
        return length;
    }

    /** SOF0-SOF15 without DHT (C4), JPG (C8) and DAC (CC). */
    private static boolean isSof(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    // ---- bytes ----

    /** Same prefix as a failure inside ImageIO, so callers see one family of messages. */
    private static ImageFormatException bad(String message) {
        return new ImageFormatException("cannot decode image: " + message);
    }

    private static int type(String name) {
        return (name.charAt(0) << 24) | (name.charAt(1) << 16) | (name.charAt(2) << 8) | name.charAt(3);
    }

    private static String typeName(byte[] b, int off) {
        StringBuilder s = new StringBuilder(4);
        for (int i = 0; i < 4; i++) {
            int c = b[off + i] & 0xFF;
            s.append(c >= 0x20 && c < 0x7F ? (char) c : '?');
        }
        return s.toString();
    }

    private static int s32(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    private static long u32(byte[] b, int off) {
        return s32(b, off) & 0xFFFFFFFFL;
    }

    private static int u16(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }
}
