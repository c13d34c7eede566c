package dev.fmnist.inference.rest;

import dev.fmnist.inference.service.PixelBatch;

/** A checked JSON body of {@code POST /api/v1/classify}: one image or a batch. */
public sealed interface ClassifyJson {
    /** {@code {"pixels": [784 ints 0-255], "label": 3}}; label null when not given. */
    record Single(byte[] pixels, Integer label) implements ClassifyJson {
    }

    /** {@code {"images": [[784 ints], ...], "labels": [...]}}. */
    record Batch(PixelBatch batch) implements ClassifyJson {
    }
}
