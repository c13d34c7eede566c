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
import dev.fmnist.inference.watch.RequestWatch;
import dev.fmnist.support.rest.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Scores checked inputs (pixels, an encoded image, a batch, a Kafka request) with the served model a
 * request names (the default one when it names none), its version picked once per request (plain Java,
 * the same arithmetic for one image and for a batch), and records each request's outcome and latency
 * under that model. Parsing and checking request bodies is the caller's job (the REST layer, the codec).
 */
@ApplicationScoped
public class ClassificationService {
    private final ModelService models;
    private final InferenceMetrics metrics;
    private final InferenceConfig config;
    private final ImageDecoder decoder;
    private final RequestWatch watch;

    public ClassificationService(ModelService models, InferenceMetrics metrics, InferenceConfig config,
                                 ImageDecoder decoder, RequestWatch watch) {
        this.models = models;
        this.metrics = metrics;
        this.config = config;
        this.decoder = decoder;
        this.watch = watch;
    }

    /**
     * The model a request names ({@link ModelService#model}): null for the default one.
     *
     * @throws ApiException (404) for a model not served here, counted under {@code kind}
     */
    public ServedModel model(ContentKind kind, String requested) {
        try {
            return models.model(requested);
        } catch (ApiException e) {
            metrics.rejectedRequest(InferenceMetrics.UNKNOWN_MODEL, kind, Outcome.UNKNOWN_MODEL);
            throw e;
        }
    }

    /** 784 checked pixels 0-255, row-major 28x28, light object on dark background. */
    public Classification classifyPixels(ContentKind kind, ServedModel model, byte[] pixels, Integer label) {
        return recorded(model, kind, () -> scoreOne(model, model.require(), pixels, label));
    }

    /** A PNG or JPEG of any size (decoded, bounded by {@code max-image-pixels}). */
    public Classification classifyImage(ContentKind kind, ServedModel model, byte[] encoded, boolean invert,
                                        Integer label) {
        return recorded(model, kind, () -> scoreOne(model, model.require(), toPixels(encoded, invert), label));
    }

    /** A checked batch, all scored by one version of the model. */
    public List<Classification> classifyBatch(ServedModel model, PixelBatch batch) {
        return recorded(model, ContentKind.JSON_BATCH, () -> {
            LoadedModel live = model.require();
            float[][] probs = BatchScorer.score(live, batch.pixels(), batch.count());
            model.meters().batch(batch.count());
            List<Classification> out = new ArrayList<>(batch.count());
            for (int i = 0; i < batch.count(); i++) {
                out.add(classification(model, live, probs[i], batch.pixels(), i * FashionMnist.PIXELS,
                        batch.labels()[i]));
            }
            return out;
        });
    }

    /**
     * A request decoded from the Kafka topic, scored by {@code version} of {@code model}.
     *
     * @throws InvalidInputException when its image cannot be decoded
     */
    public Classification classifyRequest(ClassificationRequest request, ServedModel model, LoadedModel version) {
        return recorded(model, ContentKind.KAFKA, () -> {
            byte[] raw;
            if (request.pixels() != null) {
                raw = new byte[FashionMnist.PIXELS];
                for (int i = 0; i < raw.length; i++) {
                    raw[i] = (byte) request.pixels()[i];
                }
            } else {
                raw = toPixels(request.image(), request.invert());
            }
            return scoreOne(model, version, raw, request.label());
        });
    }

    /** Counts a request that the HTTP layer refused before any scoring (used by the error mappers). */
    public void countRefused(String contentType, String requestedModel, Outcome outcome) {
        metrics.rejectedRequest(models.tagOf(requestedModel), ContentKind.ofHeader(contentType), outcome);
    }

    /** Counts a request refused by a check before scoring, under the model it named. */
    public void countRefused(ServedModel model, ContentKind kind, Outcome outcome) {
        model.meters().rejectedRequest(kind, outcome);
    }

    /** The one timing/outcome wrapper: every scored request is counted by outcome and timed, failures rethrown. */
    private static <T> T recorded(ServedModel model, ContentKind kind, Supplier<T> work) {
        long start = System.nanoTime();
        try {
            T result = work.get();
            model.meters().request(kind, Outcome.OK, start);
            return result;
        } catch (RuntimeException e) {
            model.meters().request(kind, outcomeOf(e), start);
            throw e;
        }
    }

    private Classification scoreOne(ServedModel model, LoadedModel version, byte[] raw, Integer label) {
        return classification(model, version, Scorer.score(version, raw), raw, 0, label);
    }

    /** The answer for one image at {@code offset} of {@code pixels}, counted and shown to the {@link RequestWatch}. */
    private Classification classification(ServedModel model, LoadedModel version, float[] probs, byte[] pixels,
                                           int offset, Integer label) {
        int best = Scorer.argmax(probs);
        if (label != null) {
            model.meters().labelled(version.version(), best == label);
        }
        watch.scored(model, version, pixels, offset, best, label);
        return new Classification(best, probs, version.version(), version.epoch(), model.name());
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
