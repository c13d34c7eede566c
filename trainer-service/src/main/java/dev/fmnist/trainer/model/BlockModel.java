package dev.fmnist.trainer.model;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.model.Architecture;
import dev.fmnist.contracts.model.Layer;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.contracts.model.Network;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A family's {@link Architecture} as a DJL {@link SequentialBlock}, trained the way DJL is meant to be used:
 * a {@link Model}, a {@link DefaultTrainingConfig} with {@link Loss#softmaxCrossEntropyLoss()} (mean over the
 * minibatch) and the family's optimizer ({@link Recipe}), autograd through a {@link GradientCollector} and
 * {@link Trainer#step()}. One builder interprets the layer list for every family.
 *
 * <p>Parameters cross the boundary in the contracts' layouts: a DJL {@link Linear} holds its weight
 * {@code out x in} (PyTorch's layout), the contracts' dense weight is {@code in x out}, so dense weights are
 * transposed both ways; convolution weights ({@code out x in x k x k}) and biases are the same in both.
 * The first parameters are given to DJL as one fixed initializer per parameter, so training starts from
 * exactly the numbers of the {@link Network} (a seeded draw or a resumed snapshot).
 *
 * <p>Input: the minibatch's X (pixels / 255, {@code n x 784}, in engine memory) seen as {@code (n, 784)} when
 * the first layer is dense, as {@code (n, 1, 28, 28)} when it is a convolution: a view, not a copy.
 *
 * <p>Not thread-safe: one thread owns an instance. Every step's and evaluation's arrays live in a sub-manager
 * closed at their end.
 */
public final class BlockModel implements TrainableModel {
    private final Architecture architecture;
    private final Model model;
    private final Trainer trainer;
    /** The layers with parameters, each with the DJL block that holds them, in architecture order. */
    private final List<Bound> bound = new ArrayList<>();
    /** One sample's input shape as the first block takes it. */
    private final long[] sampleDims;
    /** Read by the optimizer's learning-rate tracker at every update: the rate of the step in progress. */
    private float learningRate;
    private boolean closed;

    private record Bound(Layer layer, Block block) {
    }

    BlockModel(Network network, Recipe recipe) {
        if (network.family() != recipe.family()) {
            throw new IllegalArgumentException("a " + network.family().id() + " network with the recipe of "
                    + recipe.family().id());
        }
        this.architecture = network.architecture();
        this.learningRate = (float) recipe.learningRate();
        this.sampleDims = architecture.layers().get(0) instanceof Layer.Dense
                ? new long[] {FashionMnist.PIXELS}
                : new long[] {1, FashionMnist.ROWS, FashionMnist.COLS};
        SequentialBlock block = build(architecture);
        for (Bound b : bound) {
            for (String name : List.of("weight", "bias")) {
                Parameter p = b.block().getParameters().get(name);
                float[] values = djlLayout(b.layer(), name, network);
                block.setInitializer((manager, shape, type) -> manager.create(values, shape), q -> q == p);
            }
        }
        this.model = Model.newInstance(network.family().modelName());
        try {
            model.setBlock(block);
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(recipe.optimizer(update -> learningRate))
                    .optDevices(new Device[] {Device.cpu()});
            this.trainer = model.newTrainer(config);
            trainer.initialize(shape(1));
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        for (Bound b : bound) {
            for (String name : List.of("weight", "bias")) {
                long[] expected = djlShape(b.layer(), name);
                Shape actual = b.block().getParameters().get(name).getArray().getShape();
                if (!actual.equals(new Shape(expected))) {
                    close();
                    throw new IllegalStateException("DJL gave " + name + " of " + b.layer() + " the shape " + actual);
                }
            }
        }
    }

    /** The one interpreter of a layer list: each contracts layer as its DJL block. */
    private SequentialBlock build(Architecture a) {
        SequentialBlock block = new SequentialBlock();
        List<int[]> shapes = a.shapes();
        for (int i = 0; i < a.layers().size(); i++) {
            Layer layer = a.layers().get(i);
            if (layer instanceof Layer.Dense d) {
                if (i > 0 && shapes.get(i).length != 1) {
                    block.add(Blocks.batchFlattenBlock()); // a dense layer flattens its input row-major
                }
                Linear linear = Linear.builder().setUnits(d.out()).build();
                block.add(linear);
                bound.add(new Bound(d, linear));
            } else if (layer instanceof Layer.Conv c) {
                Conv2d conv = Conv2d.builder().setFilters(c.outChannels())
                        .setKernelShape(new Shape(c.kernel(), c.kernel()))
                        .optPadding(new Shape(c.padding(), c.padding())).build();
                block.add(conv);
                bound.add(new Bound(c, conv));
            } else if (layer instanceof Layer.MaxPool m) {
                Shape window = new Shape(m.size(), m.size());
                block.add(Pool.maxPool2dBlock(window, window));
            } else if (layer == Layer.Relu.INSTANCE) {
                block.add(Activation.reluBlock());
            } else if (layer == Layer.Flatten.INSTANCE) {
                block.add(Blocks.batchFlattenBlock());
            } else {
                throw new IllegalArgumentException("no DJL block for layer " + layer);
            }
        }
        return block;
    }

    private Shape shape(long n) {
        long[] dims = new long[sampleDims.length + 1];
        dims[0] = n;
        System.arraycopy(sampleDims, 0, dims, 1, sampleDims.length);
        return new Shape(dims);
    }

    /** DJL's shape of a layer's parameter ({@code "weight"} or {@code "bias"}). */
    private static long[] djlShape(Layer layer, String name) {
        if (layer instanceof Layer.Dense d) {
            return name.equals("bias") ? new long[] {d.out()} : new long[] {d.out(), d.in()};
        }
        Layer.Conv c = (Layer.Conv) layer;
        return name.equals("bias") ? new long[] {c.outChannels()}
                : new long[] {c.outChannels(), c.inChannels(), c.kernel(), c.kernel()};
    }

    /** A layer's parameter as DJL holds it, from the network's tensor. */
    private static float[] djlLayout(Layer layer, String name, Network network) {
        if (layer instanceof Layer.Dense d) {
            return name.equals("bias") ? network.tensor(d.bias()).clone() : transpose(network.tensor(d.weight()), d.in(), d.out());
        }
        Layer.Conv c = (Layer.Conv) layer;
        return network.tensor(name.equals("bias") ? c.bias() : c.weight()).clone();
    }

    /** The transpose of a row-major {@code rows x cols} matrix. */
    private static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = m[i * cols + j];
            }
        }
        return t;
    }

    @Override
    public ModelFamily family() {
        return architecture.family();
    }

    @Override
    public StepResult step(Minibatch batch, float rate) {
        checkOpen();
        if (batch.inputs() != FashionMnist.PIXELS) {
            throw new IllegalArgumentException("a minibatch of " + batch.inputs() + " inputs for images of "
                    + FashionMnist.PIXELS);
        }
        int n = batch.count();
        int[] y = batch.labels();
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            if (y[i] < 0 || y[i] >= FashionMnist.CLASSES) {
                throw new IllegalArgumentException("label " + y[i] + " of sample " + i + " is not in 0.."
                        + (FashionMnist.CLASSES - 1));
            }
            labels[i] = y[i];
        }
        learningRate = rate;
        try (NDManager scope = trainer.getManager().newSubManager()) {
            // a view of the minibatch's X in the block's input shape; owned by the step (X stays the minibatch's)
            NDArray x = batch.x(scope).reshape(shape(n));
            x.attach(scope);
            NDArray truth = scope.create(labels, new Shape(n, 1));
            NDArray logits;
            NDArray loss;
            try (GradientCollector collector = trainer.newGradientCollector()) {
                logits = trainer.forward(new NDList(x)).singletonOrThrow();
                loss = trainer.getLoss().evaluate(new NDList(truth), new NDList(logits));
                collector.backward(loss);
            }
            trainer.step();
            int correct = (int) logits.argMax(1).eq(truth.reshape(n)).countNonzero().getLong();
            return new StepResult(n, (double) loss.getFloat() * n, correct);
        }
    }

    @Override
    public Network network() {
        checkOpen();
        Map<String, float[]> tensors = new LinkedHashMap<>();
        for (Bound b : bound) {
            float[] w = b.block().getParameters().get("weight").getArray().toFloatArray();
            float[] bias = b.block().getParameters().get("bias").getArray().toFloatArray();
            if (b.layer() instanceof Layer.Dense d) {
                tensors.put(d.weight(), transpose(w, d.out(), d.in()));
                tensors.put(d.bias(), bias);
            } else {
                Layer.Conv c = (Layer.Conv) b.layer();
                tensors.put(c.weight(), w);
                tensors.put(c.bias(), bias);
            }
        }
        return new Network(architecture, tensors);
    }

    @Override
    public int countCorrectPixels(ByteBuffer pixels, byte[] labels, int n, int chunk) {
        int[] correct = new int[1];
        scoreChunks(pixels, n, chunk, (start, logits) -> {
            long[] predicted = logits.argMax(1).toLongArray();
            for (int i = 0; i < predicted.length; i++) {
                if (predicted[i] == Byte.toUnsignedInt(labels[start + i])) {
                    correct[0]++;
                }
            }
        });
        return correct[0];
    }

    /**
     * Class probabilities (softmax of the logits, computed by the engine) of {@code n} uint8 images, row-major
     * {@code n x 10}: what the parity test holds the contracts' plain-Java forward pass to.
     */
    public float[] probabilities(ByteBuffer pixels, int n, int chunk) {
        float[] p = new float[n * FashionMnist.CLASSES];
        scoreChunks(pixels, n, chunk, (start, logits) -> {
            float[] rows = logits.softmax(1).toFloatArray();
            System.arraycopy(rows, 0, p, start * FashionMnist.CLASSES, rows.length);
        });
        return p;
    }

    private interface ChunkScores {
        void accept(int start, NDArray logits);
    }

    /** The forward pass (inference mode, no autograd) over chunks of at most {@code chunk} images. */
    private void scoreChunks(ByteBuffer pixels, int n, int chunk, ChunkScores sink) {
        checkOpen();
        if (!pixels.isDirect()) {
            throw new IllegalArgumentException("pixels must be in a direct buffer");
        }
        if (chunk < 1 || pixels.remaining() < (long) n * FashionMnist.PIXELS) {
            throw new IllegalArgumentException(pixels.remaining() + " pixel bytes for " + n + " images in chunks of "
                    + chunk);
        }
        int base = pixels.position();
        for (int start = 0; start < n; start += chunk) {
            int rows = Math.min(chunk, n - start);
            ByteBuffer slice = pixels.duplicate().position(base + start * FashionMnist.PIXELS)
                    .limit(base + (start + rows) * FashionMnist.PIXELS).slice();
            try (NDManager scope = trainer.getManager().newSubManager()) {
                NDArray x = scope.create(slice, new Shape(rows, FashionMnist.PIXELS), DataType.UINT8)
                        .toType(DataType.FLOAT32, false).divi(255f).reshape(shape(rows));
                sink.accept(start, trainer.evaluate(new NDList(x)).singletonOrThrow());
            }
        }
    }

    /** Arrays the trainer's manager holds directly (not in a step's scope): constant across steps. */
    int heldArrays() {
        return trainer.getManager().getManagedArrays().size() + model.getNDManager().getManagedArrays().size();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("model is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (trainer != null) {
                trainer.close();
            }
            model.close();
        }
    }
}
