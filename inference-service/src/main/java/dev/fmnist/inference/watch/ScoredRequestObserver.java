package dev.fmnist.inference.watch;

import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.service.ServedModel;

/**
 * Sees every image a request had scored, right after its answer was computed and before it is returned
 * (shadow scoring, drift). It runs on the request's thread, so it must be cheap and must never block or
 * throw: anything slow (scoring another version) goes through a bounded queue it owns and is dropped,
 * counted, when that queue is full. (The request's thread is the one that scored it: an event loop for raw
 * softmax requests, a worker otherwise, see {@code ScoringThreads}.)
 */
public interface ScoredRequestObserver {
    /**
     * @param model     the served model that answered
     * @param version   the version that answered
     * @param pixels    the scored image's 784 pixels (0-255, light on dark) start at {@code offset}; the array
     *                  is the request's and must not be kept or changed (copy what must outlive the call)
     * @param predicted the class answered
     * @param label     the true class when the request carried one, else null
     */
    void scored(ServedModel model, LoadedModel version, byte[] pixels, int offset, int predicted, Integer label);
}
