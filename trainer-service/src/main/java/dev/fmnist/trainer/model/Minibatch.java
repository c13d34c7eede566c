package dev.fmnist.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * One minibatch in the layout a step consumes: X = pixels / 255 as floats, row-major
 * {@code count x inputs}, written straight into an array of the engine (through a view of its memory),
 * so a step hands X to the products without copying it, and the labels. Filling it (gathering the
 * visited samples and scaling them) is plain Java on that memory, so it can run on another thread
 * while the model steps on the previous minibatch.
 *
 * <p>Not thread-safe: one thread fills it, then one thread steps on it. Holds native memory: close it.
 */
public final class Minibatch implements AutoCloseable {
    /** {@code SCALED[v] = v / 255f}: each pixel value is divided once, here. */
    private static final float[] SCALED = new float[256];

    static {
        for (int v = 0; v < SCALED.length; v++) {
            SCALED[v] = v / 255f;
        }
    }

    private final int inputs;
    private final int capacity;
    private final NDManager manager;
    /** X, {@code capacity x inputs} float32, in the engine's memory; its first {@code count} rows are the batch. */
    private final NDArray x;
    /** A view of {@link #x}'s memory: what is written here is what the engine reads. */
    private final FloatBuffer floats;
    private final float[] row;
    private final int[] labels;
    private int count;

    public Minibatch(int capacity, int inputs) {
        if (capacity < 1 || inputs < 1) {
            throw new IllegalArgumentException("a minibatch needs room for at least one sample of one input");
        }
        this.inputs = inputs;
        this.capacity = capacity;
        int bytes = Math.multiplyExact(Math.multiplyExact(capacity, inputs), Float.BYTES);
        this.manager = NDManager.newBaseManager();
        this.x = manager.zeros(new Shape(capacity, inputs), DataType.FLOAT32);
        ByteBuffer memory = x.toByteBuffer(true);
        this.floats = memory.order(ByteOrder.nativeOrder()).asFloatBuffer();
        // DJL hands out the tensor's own memory for a dense CPU array; were it a copy, the steps would read zeros
        floats.put(0, 1f);
        boolean view;
        try (NDArray first = x.get(0, 0)) {
            view = memory.isDirect() && memory.capacity() == bytes && first.toFloatArray()[0] == 1f;
        }
        floats.put(0, 0f);
        if (!view) {
            manager.close();
            throw new IllegalStateException("the engine did not expose the memory of a " + capacity + "x" + inputs
                    + " array (DJL's toByteBuffer(true) returned a copy): cannot fill minibatches in place");
        }
        this.row = new float[inputs];
        this.labels = new int[capacity];
    }

    /** Takes samples {@code order[from..from+n)} of {@code store} (or {@code from..from+n} when order is null). */
    public void fill(SampleStore store, int[] order, int from, int n) {
        checkRoom(n);
        if (store.imageSize() != inputs) {
            throw new IllegalArgumentException("images of " + store.imageSize() + " pixels for " + inputs + " inputs");
        }
        floats.clear();
        for (int i = 0; i < n; i++) {
            int sample = order == null ? from + i : order[from + i];
            put(store.chunk(sample), store.offset(sample));
            labels[i] = store.label(sample);
        }
        count = n;
    }

    /** Takes {@code n} images of uint8 pixels (row-major, from the buffer's position) and their labels. */
    public void fill(ByteBuffer pixels, int[] y, int n) {
        checkRoom(n);
        if (pixels.remaining() < n * inputs || y.length < n) {
            throw new IllegalArgumentException(pixels.remaining() + " pixel bytes and " + y.length + " labels for "
                    + n + " rows of " + inputs);
        }
        floats.clear();
        byte[] image = new byte[inputs];
        ByteBuffer src = pixels.duplicate();
        for (int i = 0; i < n; i++) {
            src.get(image);
            put(image, 0);
            labels[i] = y[i];
        }
        count = n;
    }

    private void put(byte[] pixels, int offset) {
        for (int j = 0; j < inputs; j++) {
            row[j] = SCALED[pixels[offset + j] & 0xFF];
        }
        floats.put(row);
    }

    private void checkRoom(int n) {
        if (n < 0 || n > labels.length) {
            throw new IllegalArgumentException(n + " samples for a minibatch of " + labels.length);
        }
    }

    public int count() {
        return count;
    }

    public int inputs() {
        return inputs;
    }

    /**
     * X as the engine's array, {@code count x inputs}: the whole array when full, else a view of its first
     * rows owned by {@code scope}.
     */
    NDArray x(NDManager scope) {
        if (count == capacity) {
            return x;
        }
        NDArray rows = x.get(new NDIndex().addSliceDim(0, count));
        rows.attach(scope);
        return rows;
    }

    /** Arrays this minibatch's manager holds: X alone, however many steps took it. */
    int heldArrays() {
        return manager.getManagedArrays().size();
    }

    @Override
    public void close() {
        manager.close();
    }

    /** The labels; valid up to {@link #count()}. */
    int[] labels() {
        return labels;
    }
}
