package dev.fmnist.inference.support;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.inference.export.OnnxExporter;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * An exported ONNX model loaded into ONNX Runtime (Microsoft's runtime, CPU), fed raw uint8 pixels the
 * way the REST API takes them. One session; close it.
 */
public final class OnnxRuntimeModel implements AutoCloseable {
    private static final int BATCH = 1024;

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    public OnnxRuntimeModel(byte[] onnx) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(2);
            this.session = env.createSession(onnx, options);
        }
    }

    public OrtSession session() {
        return session;
    }

    /** Probabilities of {@code count} images from image {@code start} of {@code pixels}, in one run. */
    public float[][] probabilities(byte[] pixels, int start, int count) throws OrtException {
        ByteBuffer images = ByteBuffer.allocateDirect(count * FashionMnist.PIXELS)
                .put(pixels, start * FashionMnist.PIXELS, count * FashionMnist.PIXELS).flip();
        long[] shape = {count, 1, FashionMnist.ROWS, FashionMnist.COLS};
        try (OnnxTensor input = OnnxTensor.createTensor(env, images, shape, OnnxJavaType.UINT8);
             OrtSession.Result result = session.run(Map.of(OnnxExporter.INPUT, input))) {
            return (float[][]) result.get(OnnxExporter.OUTPUT).orElseThrow().getValue();
        }
    }

    /** Probabilities of every image of a split, scored {@value #BATCH} at a time. */
    public float[][] probabilities(FashionMnistData.Split split) throws OrtException {
        int n = split.count();
        float[][] all = new float[n][];
        for (int start = 0; start < n; start += BATCH) {
            float[][] batch = probabilities(split.images().pixels(), start, Math.min(BATCH, n - start));
            System.arraycopy(batch, 0, all, start, batch.length);
        }
        return all;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
