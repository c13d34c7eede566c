package dev.fmnist.ingest.images;

/**
 * Size limits of uploads.
 *
 * @param maxImageBytes        largest single image file
 * @param maxArchiveBytes      largest zip (compressed) or folder (sum of file sizes)
 * @param maxEntries           most entries of a zip or files of a folder
 * @param maxUncompressedBytes most bytes all entries of a zip may inflate to
 * @param maxPixels            largest image in pixels, checked before decoding
 */
public record UploadLimits(long maxImageBytes, long maxArchiveBytes, int maxEntries, long maxUncompressedBytes,
                           long maxPixels) {

    public static UploadLimits defaults() {
        return new UploadLimits(10L << 20, 100L << 20, 10_000, 512L << 20, 40_000_000L);
    }
}
