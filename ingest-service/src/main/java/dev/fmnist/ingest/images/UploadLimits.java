package dev.fmnist.ingest.images;

/**
 * Size limits of uploads (the decoded size of each image is the {@code ImageDecoder}'s limit).
 *
 * @param maxImageBytes        largest single image file
 * @param maxArchiveBytes      largest zip (compressed) or folder (sum of file sizes)
 * @param maxEntries           most entries of a zip or files of a folder
 * @param maxUncompressedBytes most bytes all entries of a zip may inflate to
 */
public record UploadLimits(long maxImageBytes, long maxArchiveBytes, int maxEntries, long maxUncompressedBytes) {

    public static UploadLimits defaults() {
        return new UploadLimits(10L << 20, 100L << 20, 10_000, 512L << 20);
    }
}
