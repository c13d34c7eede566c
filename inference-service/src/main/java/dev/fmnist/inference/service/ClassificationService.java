package dev.fmnist.inference.service;

import dev.fmnist.contracts.ClassificationRequest;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.image.DecodeBusyException;
import dev.fmnist.contracts.image.ImageDecoder;
import dev.fmnist.contracts.image.ImageFormatException;
import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.inference.domain.BatchScorer;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.domain.Scorer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Scores checked inputs (pixels, an encoded image, a batch, a Kafka request) with the model picked
 * once per request (plain Java, the same arithmetic for one image and for a batch) and records each request's outcome
 * and latency. Parsing and checking request bodies is the caller's job (the REST layer, the codec).
 */
@ApplicationScoped
public class ClassificationService {
    private final ModelService models;
    private final InferenceMetrics metrics;
    private final InferenceConfig config;
    private final ImageDecoder decoder;

    public ClassificationService(ModelService models, InferenceMetrics metrics, InferenceConfig config,
                                 ImageDecoder decoder) {
        this.models = models;
        this.metrics = metrics;
        this.config = config;
        this.decoder = decoder;
    }

    /** 784 checked pixels 0-255, row-major 28x28, light object on dark background. */
    public Classification classifyPixels(ContentKind kind, byte[] pixels, Integer label) {
        return recorded(kind, () -> scoreOne(models.require(), pixels, label));
    }

    /** A PNG or JPEG of any size (decoded, bounded by {@code max-image-pixels}). */
    public Classification classifyImage(ContentKind kind, byte[] encoded, boolean invert, Integer label) {
        return recorded(kind, () -> scoreOne(models.require(), toPixels(encoded, invert), label));
    }

    /** A checked batch, all scored by one model version. */
    public List<Classification> classifyBatch(PixelBatch batch) {
        return recorded(ContentKind.JSON_BATCH, () -> {
            LoadedModel model = models.require();
            float[][] probs = BatchScorer.score(model, batch.pixels(), batch.count());
            metrics.batch(batch.count());
            List<Classification> out = new ArrayList<>(batch.count());
            for (int i = 0; i < batch.count(); i++) {
                out.add(classification(model, probs[i], batch.labels()[i]));
            }
            return out;
        });
    }

    /**
     * A request decoded from the Kafka topic, scored by {@code model}.
     *
     * @throws InvalidInputException when its image cannot be decoded
     */
    public Classification classifyRequest(ClassificationRequest request, LoadedModel model) {
        return recorded(ContentKind.KAFKA, () -> {
            byte[] raw;
            if (request.pixels() != null) {
                raw = new byte[FashionMnist.PIXELS];
                for (int i = 0; i < raw.length; i++) {
                    raw[i] = (byte) request.pixels()[i];
                }
            } else {
                raw = toPixels(request.image(), request.invert());
            }
            return scoreOne(model, raw, request.label());
        });
    }

    /** Counts a request that the HTTP layer refused before any scoring (used by the error mappers). */
    public void countRefused(String contentType, Outcome outcome) {
        metrics.rejectedRequest(ContentKind.ofHeader(contentType), outcome);
    }

    /** The one timing/outcome wrapper: every scored request is counted by outcome and timed, failures rethrown. */
    private <T> T recorded(ContentKind kind, Supplier<T> work) {
        long start = System.nanoTime();
        try {
            T result = work.get();
            metrics.request(kind, Outcome.OK, start);
            return result;
        } catch (RuntimeException e) {
            metrics.request(kind, outcomeOf(e), start);
            throw e;
        }
    }

    private Classification scoreOne(LoadedModel model, byte[] raw, Integer label) {
        return classification(model, Scorer.score(model, raw), label);
    }

    private Classification classification(LoadedModel model, float[] probs, Integer label) {
        int best = Scorer.argmax(probs);
        if (label != null) {
            metrics.labelled(model.version(), best == label);
        }
        return new Classification(best, probs, model.version(), model.epoch());
    }

    private byte[] toPixels(byte[] image, boolean invert) {
        try {
            return decoder.toFashionMnist(image, invert);
        } catch (ImageFormatException e) {
            throw e.tooLarge() ? InvalidInputException.tooLarge(e.getMessage())
                    : InvalidInputException.badRequest(e.getMessage());
        }
    }

    static Outcome outcomeOf(RuntimeException e) {
        if (e instanceof InvalidInputException i) {
            return i.outcome();
        }
        if (e instanceof ModelUnavailableException) {
            return Outcome.UNAVAILABLE;
        }
        if (e instanceof DecodeBusyException) {
            return Outcome.BUSY;
        }
        return Outcome.ERROR;
    }
}
