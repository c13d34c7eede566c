package dev.fmnist.contracts.image;

/**
 * What an encoded image declares about itself, read from its header (PNG IHDR, JPEG SOFn) without
 * decoding anything: enough to know what decoding it will cost.
 *
 * @param format        "PNG" or "JPEG"
 * @param width         pixels, at least 1
 * @param height        pixels, at least 1
 * @param channels      samples per pixel ImageIO's decoded image holds (a PNG tRNS chunk adds alpha)
 * @param bitsPerSample 1, 2, 4, 8 or 16 for PNG; 8 for JPEG
 * @param progressive   a progressive JPEG: libjpeg keeps every DCT coefficient of the image at once
 */
public record ImageHeader(String format, int width, int height, int channels, int bitsPerSample, boolean progressive) {
    /** Bytes per pixel of the converter's own luma array (one float per source pixel). */
    static final int LUMA_BYTES_PER_PIXEL = 4;
    /** Bytes per sample of libjpeg's whole-image coefficient buffer in progressive mode (one short). */
    static final int COEFFICIENT_BYTES_PER_SAMPLE = 2;

    public long pixels() {
        return (long) width * height;
    }

    /**
     * Memory decoding and converting this image holds at its peak: the decoded raster (a sample
     * takes a byte up to 8 bits, two at 16; packed low bit depths are counted as a byte so the
     * figure also bounds the per-pixel work), the converter's luma array and, for a progressive
     * JPEG, libjpeg's coefficient buffer. Saturates at Long.MAX_VALUE.
     */
    public long decodedBytes() {
        long bytesPerPixel = (long) channels * (bitsPerSample > 8 ? 2 : 1) + LUMA_BYTES_PER_PIXEL
                + (progressive ? (long) channels * COEFFICIENT_BYTES_PER_SAMPLE : 0);
        long px = pixels();
        return px > Long.MAX_VALUE / bytesPerPixel ? Long.MAX_VALUE : px * bytesPerPixel;
    }

    /** E.g. "6324x6324 PNG, 4 channels of 16 bits". */
    public String describe() {
        return width + "x" + height + " " + format + ", " + channels + (channels == 1 ? " channel" : " channels")
                + " of " + bitsPerSample + (bitsPerSample == 1 ? " bit" : " bits") + (progressive ? ", progressive" : "");
    }

    ImageHeader withChannels(int n) {
        return new ImageHeader(format, width, height, n, bitsPerSample, progressive);
    }
}
