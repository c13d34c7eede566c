package dev.fmnist.inference.export;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.model.Architecture;
import dev.fmnist.contracts.model.Layer;
import dev.fmnist.contracts.model.Network;
import dev.fmnist.contracts.model.TensorShape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A snapshot as an ONNX model (IR version 8, default-domain opset 13) that any ONNX runtime scores
 * like this service does. The graph takes what {@code POST /api/v1/classify} takes, raw pixels:
 * input {@value #INPUT}, uint8 {@code [N, 1, 28, 28]} (0-255, row-major), which it casts to float and
 * divides by 255 itself; a user holding pixel / 255 floats multiplies by 255 and casts to uint8 first.
 * Output {@value #OUTPUT}, float {@code [N, 10]}: the softmax over the ten classes.
 *
 * <p>Each {@link Layer} becomes one node: Dense a Gemm (W is stored in x out, so no transpose; a
 * Flatten first when its input is still an image), Conv a Conv (stride 1, symmetric pads), MaxPool a
 * MaxPool (kernel = stride = size, floor), Relu a Relu, Flatten a Flatten (axis 1). The parameters are
 * the graph's initializers under the snapshot's tensor names (float32, little-endian raw data), in
 * the order the architecture stores them. The snapshot's metadata (family, layers, version, metrics,
 * lineage) is the model's {@code metadata_props}.
 *
 * <p>Field numbers are those of onnx/onnx {@code onnx/onnx.proto}; only these are written:
 * ModelProto ir_version 1, producer_name 2, producer_version 3, domain 4, model_version 5,
 * doc_string 6, graph 7, opset_import 8, metadata_props 14; OperatorSetIdProto version 2 (domain 1
 * left out: the default domain); StringStringEntryProto key 1, value 2; GraphProto node 1, name 2,
 * initializer 5, doc_string 10, input 11, output 12; NodeProto input 1, output 2, name 3, op_type 4,
 * attribute 5; AttributeProto name 1, i 3, ints 8, type 20 (INT 2, INTS 7); TensorProto dims 1,
 * data_type 2 (FLOAT 1, UINT8 2), name 8, raw_data 9; ValueInfoProto name 1, type 2, doc_string 3;
 * TypeProto tensor_type 1; TypeProto.Tensor elem_type 1, shape 2; TensorShapeProto dim 1;
 * TensorShapeProto.Dimension dim_value 1, dim_param 2.
 */
public final class OnnxExporter {
    /** ONNX IR version 8 (2021-07-30): read by ONNX Runtime 1.10+ and Debian's python3-onnx 1.12. */
    public static final long IR_VERSION = 8;
    /** Every operator used has had its current definition since opset 13 (Softmax's per-axis one). */
    public static final long OPSET = 13;
    /** The graph's input: uint8 [N, 1, 28, 28], raw pixels 0-255. */
    public static final String INPUT = "pixels";
    /** The graph's output: float [N, 10], class probabilities. */
    public static final String OUTPUT = "probabilities";

    private static final int FLOAT = 1;
    private static final int UINT8 = 2;
    private static final int ATTRIBUTE_INT = 2;
    private static final int ATTRIBUTE_INTS = 7;

    private OnnxExporter() {
    }

    /** The ONNX model of a snapshot's network, with the snapshot's metadata. */
    public static byte[] export(WeightSnapshot s) {
        Map<String, String> meta = WeightsExporter.metadata(s);
        meta.put("input", INPUT + ": uint8 [N,1,28,28], raw pixels 0-255 row-major; the graph divides by 255");
        meta.put("output", OUTPUT + ": float [N,10], softmax over the 10 Fashion-MNIST classes");
        ProtoWriter model = new ProtoWriter()
                .int64(1, IR_VERSION)
                .string(2, "fmnist-pipeline")
                .string(3, "inference-service")
                .string(4, "dev.fmnist")
                .int64(5, s.version())
                .string(6, s.modelName() + " v" + s.version() + " (" + s.network().family().id()
                        + "): Fashion-MNIST class probabilities of raw 28x28 uint8 images")
                .message(7, graph(s.modelName(), s.network()))
                .message(8, new ProtoWriter().int64(2, OPSET));
        meta.forEach((k, v) -> model.message(14, new ProtoWriter().string(1, k).string(2, v)));
        return model.toByteArray();
    }

    /** The GraphProto: nodes in topological order (a chain), the initializers, the input and output. */
    static ProtoWriter graph(String name, Network network) {
        Architecture a = network.architecture();
        for (TensorShape t : a.parameters()) {
            if (t.name().equals(INPUT) || t.name().equals(OUTPUT)) {
                throw new IllegalArgumentException("tensor name '" + t.name() + "' is taken by the ONNX graph's input or output");
            }
        }
        Chain chain = new Chain();
        // Node and intermediate value names contain '/', which parameter names cannot, so nothing collides.
        String x = chain.node("input/Cast", "Cast", List.of(INPUT), integer("to", FLOAT));
        x = chain.node("input/Div", "Div", List.of(x, "input/255"));
        int rank = 4;
        List<Layer> layers = a.layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            String at = "layer" + i + "/";
            if (l instanceof Layer.Dense d) {
                if (rank != 2) {
                    x = chain.node(at + "Flatten", "Flatten", List.of(x), integer("axis", 1));
                    rank = 2;
                }
                x = chain.node(at + "Gemm", "Gemm", List.of(x, d.weight(), d.bias()));
            } else if (l instanceof Layer.Conv c) {
                x = chain.node(at + "Conv", "Conv", List.of(x, c.weight(), c.bias()),
                        ints("kernel_shape", c.kernel(), c.kernel()), ints("strides", 1, 1),
                        ints("pads", c.padding(), c.padding(), c.padding(), c.padding()));
            } else if (l instanceof Layer.MaxPool p) {
                x = chain.node(at + "MaxPool", "MaxPool", List.of(x),
                        ints("kernel_shape", p.size(), p.size()), ints("strides", p.size(), p.size()));
            } else if (l == Layer.Relu.INSTANCE) {
                x = chain.node(at + "Relu", "Relu", List.of(x));
            } else {
                x = chain.node(at + "Flatten", "Flatten", List.of(x), integer("axis", 1));
                rank = 2;
            }
        }
        chain.last("output/Softmax", "Softmax", List.of(x), OUTPUT, integer("axis", -1));

        ProtoWriter g = chain.graph.string(2, name)
                .string(10, "layers: " + a.layers().size() + ", parameters: " + a.parameterCount());
        g.message(5, tensor("input/255", new int[0], new float[] {255f}));
        for (TensorShape t : a.parameters()) {
            g.message(5, tensor(t.name(), t.dims(), network.tensor(t.name())));
        }
        g.message(11, value(INPUT, UINT8, "raw pixels 0-255, row-major 28x28, one channel",
                new long[] {1, FashionMnist.ROWS, FashionMnist.COLS}));
        g.message(12, value(OUTPUT, FLOAT, "softmax over the " + FashionMnist.CLASSES + " classes",
                new long[] {FashionMnist.CLASSES}));
        return g;
    }

    /** The nodes of a chain graph, each reading the previous node's output. */
    private static final class Chain {
        final ProtoWriter graph = new ProtoWriter();

        /** Adds a node whose single output is named like the node; returns that name. */
        String node(String name, String op, List<String> inputs, ProtoWriter... attributes) {
            return last(name, op, inputs, name, attributes);
        }

        String last(String name, String op, List<String> inputs, String output, ProtoWriter... attributes) {
            ProtoWriter n = new ProtoWriter();
            inputs.forEach(in -> n.string(1, in));
            n.string(2, output).string(3, name).string(4, op);
            for (ProtoWriter attribute : attributes) {
                n.message(5, attribute);
            }
            graph.message(1, n);
            return output;
        }
    }

    /** An INT attribute. */
    private static ProtoWriter integer(String name, long value) {
        return new ProtoWriter().string(1, name).int64(20, ATTRIBUTE_INT).int64(3, value);
    }

    /** An INTS attribute. */
    private static ProtoWriter ints(String name, long... values) {
        return new ProtoWriter().string(1, name).int64(20, ATTRIBUTE_INTS).int64s(8, values);
    }

    /** A float32 initializer, raw little-endian data (dims empty: a scalar). */
    private static ProtoWriter tensor(String name, int[] dims, float[] values) {
        ProtoWriter t = new ProtoWriter();
        for (int d : dims) {
            t.int64(1, d);
        }
        ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return t.int64(2, FLOAT).string(8, name).bytes(9, raw.array());
    }

    /** A graph input or output: a tensor of the element type, batch dimension N, then {@code dims}. */
    private static ProtoWriter value(String name, int elementType, String doc, long[] dims) {
        ProtoWriter shape = new ProtoWriter().message(1, new ProtoWriter().string(2, "N"));
        for (long d : dims) {
            shape.message(1, new ProtoWriter().int64(1, d));
        }
        ProtoWriter tensorType = new ProtoWriter().int64(1, elementType).message(2, shape);
        return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType)).string(3, doc);
    }
}
