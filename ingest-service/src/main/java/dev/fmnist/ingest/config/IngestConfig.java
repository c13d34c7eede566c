package dev.fmnist.ingest.config;

import dev.fmnist.contracts.image.ImageDecoder;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/** Typed configuration of the ingest service; the module README lists every property with its default. */
@ConfigMapping(prefix = "fmnist.ingest")
public interface IngestConfig {

    /** Directory holding the four Fashion-MNIST IDX files (.gz or raw); looked at first. Empty = not set. */
    Optional<Path> dataDir();

    /** Where the Debian package dataset-fashion-mnist installs the files; looked at second. */
    @WithDefault("/usr/share/datasets/fashion-mnist")
    Path systemDataDir();

    /** Cache the files are downloaded into (and looked for in) when neither directory has them. */
    @WithDefault("${user.home}/.cache/fmnist")
    Path cacheDir();

    /** Whether the files may be downloaded from {@link #downloadBaseUrl()} when no directory has them. */
    @WithDefault("true")
    boolean download();

    /** Base URL of the Fashion-MNIST mirror; the four .gz file names are resolved against it. */
    @WithDefault("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")
    URI downloadBaseUrl();

    /** Connect and read timeout of each download. */
    @WithDefault("60s")
    Duration downloadTimeout();

    /** Images per ImageBatch record (1..1147: a record carries at most 900,000 pixel bytes). */
    @WithDefault("256")
    int batchSize();

    /** Publish only the first N training images (0 = all 60,000); a subset gets its own datasetId. */
    @WithDefault("0")
    int trainLimit();

    /** Publish only the first N test images (0 = all 10,000); a subset gets its own datasetId. */
    @WithDefault("0")
    int testLimit();

    /** Publish the dataset once when the service starts. */
    @WithDefault("false")
    boolean publishOnStart();

    /** Send only the batches whose ids are not yet keys on fmnist.train / fmnist.test (POST ?force=true overrides). */
    @WithDefault("true")
    boolean skipPublished();

    /** Longest time a publication may spend reading the batch ids already on the topics before it fails. */
    @WithDefault("60s")
    Duration skipPublishedTimeout();

    /** Minimum time between two progress lines in the log while a dataset is published. */
    @WithDefault("1s")
    Duration progressLogInterval();

    /** User image uploads. */
    Upload upload();

    /** Kafka producer tuning (connection settings come from the kafka.* properties). */
    Producer producer();

    /** The consumer of fmnist.uploads (records from any Kafka client). */
    UploadsTopic uploadsTopic();

    interface UploadsTopic {
        /** Longest pause between two attempts to publish a poll of uploads while Kafka does not acknowledge. */
        @WithDefault("30s")
        Duration maxBackoff();
    }

    /** User image uploads; the decode limits build the service's image decoder. */
    interface Upload extends ImageDecoder.Limits {
        /** Largest single image upload in bytes (POST /api/v1/images); larger gets 413. */
        @WithDefault("10485760")
        long maxBytes();

        /** Largest zip upload in bytes (POST /api/v1/images/bulk); larger gets 413. */
        @WithDefault("104857600")
        long bulkMaxBytes();

        /** Most entries (files and folders) a zip may hold; more gets 413. */
        @WithDefault("10000")
        int bulkMaxEntries();

        /** Most bytes all entries of a zip may inflate to (zip-bomb guard); more gets 413. */
        @WithDefault("536870912")
        long bulkMaxUncompressedBytes();

        /** The four size limits above as one value, for REST uploads and the uploads topic alike (not mapped). */
        default dev.fmnist.ingest.images.UploadLimits limits() {
            return new dev.fmnist.ingest.images.UploadLimits(maxBytes(), bulkMaxBytes(), bulkMaxEntries(),
                    bulkMaxUncompressedBytes());
        }

        /**
         * Largest image in bytes its decoding needs (raster, luma array, libjpeg's progressive buffer;
         * computed from the header), 413 above before anything is decoded (decompression bombs).
         */
        @WithDefault("134217728")
        @Override
        long maxDecodedBytes();

        /**
         * Bytes all concurrent image decodes (single, multipart, zip entries) may hold together;
         * unset = a quarter of the max heap. A decode that does not fit within {@link #decodeWait()}
         * gets 503 with Retry-After.
         */
        @Override
        OptionalLong decodeBudgetBytes();

        /** How long one image decode waits for room in the decode budget before the upload answers 503. */
        @WithDefault("2s")
        @Override
        Duration decodeWait();

        /** How long an upload waits for Kafka to acknowledge its records before answering 503. */
        @WithDefault("30s")
        Duration ackTimeout();
    }

    interface Producer {
        /** Producer batch.size in bytes; one 256-image record is about 200 KB. */
        @WithDefault("983040")
        int batchSize();

        /** Producer linger.ms. */
        @WithDefault("5ms")
        Duration linger();

        /** Producer compression.type: none, lz4, zstd, snappy or gzip. */
        @WithDefault("lz4")
        String compression();

        /** Producer buffer.memory in bytes. */
        @WithDefault("67108864")
        long bufferMemory();

        /** Producer max.block.ms: how long send() waits for metadata or buffer space. */
        @WithDefault("15s")
        Duration maxBlock();

        /** Producer delivery.timeout.ms: how long a record may take to be acknowledged, retries included. */
        @WithDefault("60s")
        Duration deliveryTimeout();
    }
}
