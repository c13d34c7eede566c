package dev.fmnist.inference.oip;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.fmnist.contracts.FashionMnist;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an infer request body with Jackson's streaming parser straight into pixel arrays, so a
 * large request costs its pixels (one byte or float each), never a tree of boxed numbers. Accepts
 * what the protocol allows for this model: one input of shape {@code [N, 784]} (or {@code [784]} for
 * one image; {@code [N, 28, 28]} and {@code [N, 1, 28, 28]} too), datatype UINT8 (0-255) or FP32 (0-1),
 * {@code data} flat or nested in row-major order, any {@code parameters} ignored; optional
 * {@code outputs} naming {@value OipModel#PROBABILITIES} and/or {@value OipModel#CLASS}.
 */
public final class InferRequestParser {
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).maxNumberLength(64)
                    .maxStringLength(1 << 16).build())
            .build();
    private static final int PIXELS = FashionMnist.PIXELS;

    private final int maxImages;

    public InferRequestParser(int maxImages) {
        this.maxImages = maxImages;
    }

    public InferRequest parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw OipException.badRequest("empty request body: expected an inference request JSON object");
        }
        try (JsonParser p = JSON.createParser(body)) {
            return request(p);
        } catch (OipException e) {
            throw e;
        } catch (IOException e) {
            throw OipException.badRequest("malformed JSON: " + firstLine(e.getMessage()));
        }
    }

    private InferRequest request(JsonParser p) throws IOException {
        expect(p.nextToken(), JsonToken.START_OBJECT, "the request must be a JSON object");
        String id = null;
        Tensor input = null;
        List<String> outputs = List.of();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "id" -> {
                    expect(t, JsonToken.VALUE_STRING, "\"id\" must be a string");
                    id = p.getText();
                }
                case "inputs" -> {
                    expect(t, JsonToken.START_ARRAY, "\"inputs\" must be an array of tensors");
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        if (input != null) {
                            throw OipException.badRequest("this model takes exactly one input tensor ("
                                    + OipModel.INPUT + ", [N, 784])");
                        }
                        input = tensor(p);
                    }
                }
                case "outputs" -> outputs = outputs(p, t);
                default -> p.skipChildren(); // "parameters" and extensions this server does not use
            }
        }
        if (p.nextToken() != null) {
            throw OipException.badRequest("unexpected content after the request object");
        }
        if (input == null) {
            throw OipException.badRequest("\"inputs\" is required: one tensor of shape [N, 784]");
        }
        return input.toRequest(id, outputs);
    }

    private List<String> outputs(JsonParser p, JsonToken t) throws IOException {
        expect(t, JsonToken.START_ARRAY, "\"outputs\" must be an array");
        List<String> names = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            expect(p.currentToken(), JsonToken.START_OBJECT, "each requested output must be an object");
            String name = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if (field.equals("name")) {
                    expect(v, JsonToken.VALUE_STRING, "an output's \"name\" must be a string");
                    name = p.getText();
                } else {
                    p.skipChildren();
                }
            }
            if (name == null) {
                throw OipException.badRequest("a requested output needs a \"name\"");
            }
            if (!OipModel.OUTPUT_NAMES.contains(name)) {
                throw OipException.badRequest("unknown output \"" + name + "\"; this model has " + OipModel.OUTPUT_NAMES);
            }
            names.add(name);
        }
        return List.copyOf(names);
    }

    /** One input tensor's fields in any order; the data is kept as doubles until shape and type are known. */
    private Tensor tensor(JsonParser p) throws IOException {
        expect(p.currentToken(), JsonToken.START_OBJECT, "each input must be a tensor object");
        Tensor t = new Tensor();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "name" -> {
                    expect(v, JsonToken.VALUE_STRING, "the input's \"name\" must be a string");
                    t.name = p.getText();
                }
                case "datatype" -> {
                    expect(v, JsonToken.VALUE_STRING, "the input's \"datatype\" must be a string");
                    t.datatype = p.getText();
                }
                case "shape" -> t.shape = shape(p, v);
                case "data" -> t.data = data(p, v);
                default -> p.skipChildren();
            }
        }
        return t;
    }

    private static long[] shape(JsonParser p, JsonToken v) throws IOException {
        expect(v, JsonToken.START_ARRAY, "\"shape\" must be an array of integers");
        long[] dims = new long[8];
        int k = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || k == dims.length) {
                throw OipException.badRequest("\"shape\" must be an array of at most 8 integers");
            }
            dims[k++] = p.getLongValue();
        }
        return java.util.Arrays.copyOf(dims, k);
    }

    private double[] data(JsonParser p, JsonToken v) throws IOException {
        expect(v, JsonToken.START_ARRAY, "\"data\" must be an array of numbers (flat or nested)");
        long limit = (long) maxImages * PIXELS;
        double[] values = new double[PIXELS];
        int count = 0;
        int depth = 1;
        while (depth > 0) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw OipException.badRequest("\"data\" is cut short");
            }
            switch (t) {
                case START_ARRAY -> depth++;
                case END_ARRAY -> depth--;
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                    if (count == limit) {
                        throw new OipException(413, "more than " + maxImages + " images of 784 pixels in one request");
                    }
                    if (count == values.length) {
                        values = java.util.Arrays.copyOf(values, (int) Math.min(limit, (long) values.length * 2));
                    }
                    values[count++] = p.getDoubleValue();
                }
                default -> throw OipException.badRequest("\"data\" must hold numbers only");
            }
        }
        return java.util.Arrays.copyOf(values, count);
    }

    private final class Tensor {
        String name;
        String datatype;
        long[] shape;
        double[] data;

        InferRequest toRequest(String id, List<String> outputs) {
            if (name == null || datatype == null || shape == null || data == null) {
                throw OipException.badRequest("an input tensor needs \"name\", \"shape\", \"datatype\" and \"data\"");
            }
            int n = images(shape);
            if (n > maxImages) {
                throw new OipException(413, n + " images exceed the limit of " + maxImages + " per request");
            }
            if (data.length != (long) n * PIXELS) {
                throw OipException.badRequest("shape " + java.util.Arrays.toString(shape) + " holds " + ((long) n * PIXELS)
                        + " values, \"data\" has " + data.length);
            }
            return switch (datatype) {
                case "UINT8" -> {
                    byte[] px = new byte[data.length];
                    for (int i = 0; i < data.length; i++) {
                        double d = data[i];
                        if (d != Math.rint(d) || d < 0 || d > 255) {
                            throw OipException.badRequest("UINT8 data must be integers 0-255; element " + i + " is " + d);
                        }
                        px[i] = (byte) d;
                    }
                    yield new InferRequest(id, name, n, px, null, outputs);
                }
                case "FP32" -> {
                    float[] px = new float[data.length];
                    for (int i = 0; i < data.length; i++) {
                        double d = data[i];
                        if (!(d >= 0 && d <= 1)) {
                            throw OipException.badRequest("FP32 data must be in [0, 1] (pixel / 255); element " + i + " is " + d);
                        }
                        px[i] = (float) (d * 255.0);
                    }
                    yield new InferRequest(id, name, n, null, px, outputs);
                }
                default -> throw OipException.badRequest("datatype " + datatype + " is not supported: send UINT8 (0-255) or FP32 (0-1)");
            };
        }
    }

    /** N from [N, 784], [784], [N, 28, 28] or [N, 1, 28, 28]. */
    private static int images(long[] shape) {
        long n;
        if (shape.length == 1 && shape[0] == PIXELS) {
            n = 1;
        } else if (shape.length == 2 && shape[1] == PIXELS) {
            n = shape[0];
        } else if (shape.length == 3 && shape[1] == 28 && shape[2] == 28) {
            n = shape[0];
        } else if (shape.length == 4 && shape[1] == 1 && shape[2] == 28 && shape[3] == 28) {
            n = shape[0];
        } else {
            throw OipException.badRequest("shape " + java.util.Arrays.toString(shape)
                    + " is not an image batch of this model: use [N, 784]");
        }
        if (n < 1 || n > Integer.MAX_VALUE) {
            throw OipException.badRequest("the batch dimension must be at least 1, got " + n);
        }
        return (int) n;
    }

    private static void expect(JsonToken actual, JsonToken wanted, String message) {
        if (actual != wanted) {
            throw OipException.badRequest(message);
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
