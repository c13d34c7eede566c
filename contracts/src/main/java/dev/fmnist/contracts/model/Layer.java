package dev.fmnist.contracts.model;

import java.util.List;

/**
 * One layer of an {@link Architecture}. Parameter layouts are fixed here, for every scorer and export:
 * a dense layer computes {@code y = x W + b} with W row-major {@code in x out} (d2l's from-scratch
 * layout); a convolution's weight is {@code out x in x k x k} (PyTorch's and ONNX's), its bias {@code out}.
 */
public sealed interface Layer {
    /** The parameter tensors this layer owns, with their shapes. */
    default List<TensorShape> parameters() {
        return List.of();
    }

    /** The shape of this layer's output for an input of shape {@code in}, or an error naming why not. */
    int[] outputShape(int[] in);

    /** Multiply-adds for one image with input shape {@code in} (a bound on scoring work). */
    default long multiplyAdds(int[] in) {
        return 0;
    }

    /** A dense (fully connected) layer on {@code in} values (its input flattened row-major). */
    record Dense(String weight, String bias, int in, int out) implements Layer {
        public Dense {
            Architecture.requireName(weight);
            Architecture.requireName(bias);
            Architecture.requireRange("dense inputs", in, 1, 1 << 20);
            Architecture.requireRange("dense outputs", out, 1, 1 << 20);
        }

        @Override
        public List<TensorShape> parameters() {
            return List.of(new TensorShape(weight, in, out), new TensorShape(bias, out));
        }

        @Override
        public int[] outputShape(int[] shape) {
            if (Flatten.INSTANCE.outputShape(shape)[0] != in) {
                throw new IllegalArgumentException("dense " + weight + " expects " + in + " inputs, gets "
                        + TensorShape.describe(shape));
            }
            return new int[] {out};
        }

        @Override
        public long multiplyAdds(int[] shape) {
            return (long) in * out;
        }
    }

    /** A square 2-D convolution with stride 1 and zero padding on a {@code channels x h x w} input. */
    record Conv(String weight, String bias, int inChannels, int outChannels, int kernel, int padding)
            implements Layer {
        public Conv {
            Architecture.requireName(weight);
            Architecture.requireName(bias);
            Architecture.requireRange("conv input channels", inChannels, 1, 1024);
            Architecture.requireRange("conv output channels", outChannels, 1, 1024);
            Architecture.requireRange("conv kernel", kernel, 1, 15);
            Architecture.requireRange("conv padding", padding, 0, kernel - 1);
        }

        @Override
        public List<TensorShape> parameters() {
            return List.of(new TensorShape(weight, outChannels, inChannels, kernel, kernel),
                    new TensorShape(bias, outChannels));
        }

        @Override
        public int[] outputShape(int[] shape) {
            if (shape.length != 3 || shape[0] != inChannels) {
                throw new IllegalArgumentException("conv " + weight + " expects " + inChannels + " x h x w, gets "
                        + TensorShape.describe(shape));
            }
            int h = shape[1] + 2 * padding - kernel + 1;
            int w = shape[2] + 2 * padding - kernel + 1;
            if (h < 1 || w < 1) {
                throw new IllegalArgumentException("conv " + weight + ": a " + kernel + "x" + kernel
                        + " kernel does not fit " + TensorShape.describe(shape));
            }
            return new int[] {outChannels, h, w};
        }

        @Override
        public long multiplyAdds(int[] shape) {
            int[] o = outputShape(shape);
            return (long) o[0] * o[1] * o[2] * inChannels * kernel * kernel;
        }
    }

    /** max(0, x), elementwise. */
    enum Relu implements Layer {
        INSTANCE;

        @Override
        public int[] outputShape(int[] in) {
            return in.clone();
        }
    }

    /** Non-overlapping {@code size x size} max pooling on a {@code channels x h x w} input (floor). */
    record MaxPool(int size) implements Layer {
        public MaxPool {
            Architecture.requireRange("pool size", size, 2, 8);
        }

        @Override
        public int[] outputShape(int[] in) {
            if (in.length != 3 || in[1] < size || in[2] < size) {
                throw new IllegalArgumentException("max pool " + size + "x" + size + " needs channels x h x w of at least "
                        + size + "x" + size + ", gets " + TensorShape.describe(in));
            }
            return new int[] {in[0], in[1] / size, in[2] / size};
        }
    }

    /** Row-major flattening of a {@code channels x h x w} input. */
    enum Flatten implements Layer {
        INSTANCE;

        @Override
        public int[] outputShape(int[] in) {
            int n = 1;
            for (int d : in) {
                n *= d;
            }
            return new int[] {n};
        }
    }
}
