package dev.fmnist.trainer.model;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.contracts.model.Network;
import java.nio.ByteBuffer;

/**
 * A model the trainer steps, evaluates and snapshots, whatever its family: the seed's softmax regression
 * ({@link SoftmaxRegression}, its own fast path) or a DJL block network built from the family's
 * {@link dev.fmnist.contracts.model.Architecture} ({@link BlockModel}). Made by {@link Models}.
 *
 * <p>Not thread-safe: one thread owns an instance. Holds native memory: close it.
 */
public interface TrainableModel extends AutoCloseable {
    ModelFamily family();

    /** Values per sample a minibatch holds (the 784 pixels; the seed's model also takes other widths in its tests). */
    default int inputs() {
        return FashionMnist.PIXELS;
    }

    /**
     * One optimizer step on a filled minibatch (X = pixels / 255, {@code n x 784}) at the given learning
     * rate; the loss and hits are those of the parameters before the update.
     */
    StepResult step(Minibatch batch, float learningRate);

    /** A copy of the current parameters in the contracts' layouts (what a snapshot carries). */
    Network network();

    /**
     * Correct predictions on {@code n} uint8 images (row-major {@code n x 784} from the buffer's position,
     * a direct buffer) with labels {@code labels[0..n)}, scored in chunks of at most {@code chunk} images.
     */
    int countCorrectPixels(ByteBuffer pixels, byte[] labels, int n, int chunk);

    @Override
    void close();
}
