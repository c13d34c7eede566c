package dev.fmnist.inference.oip;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.support.rest.JsonBodies;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Binds an infer request body to records with Jackson; the tensor's {@code data} is read straight into
 * one array of numbers, so a large request costs its values (8 bytes each), never a tree of boxed
 * numbers. Accepts what the protocol allows for this model: one input of shape {@code [N, 784]} (or
 * {@code [784]} for one image; {@code [N, 28, 28]} and {@code [N, 1, 28, 28]} too), datatype UINT8
 * (0-255) or FP32 (0-1), {@code data} flat or nested in row-major order, {@code parameters} skipped
 * unread; optional {@code outputs} naming {@value OipModel#PROBABILITIES} and/or {@value OipModel#CLASS}.
 * Any other field is refused by name; the stream constraints bound nesting and the whole document's
 * tokens (about what {@code max-batch-size} images need), so no array can outgrow a full batch.
 */
public final class InferRequestParser {
    private static final int PIXELS = FashionMnist.PIXELS;
    private static final String MAX_VALUES = "maxValues";

    private final ObjectReader reader;
    private final int maxImages;

    @JsonIgnoreProperties("parameters")
    record Body(String id, List<Tensor> inputs, List<Output> outputs) {
    }

    @JsonIgnoreProperties("parameters")
    record Output(String name) {
    }

    public InferRequestParser(int maxImages) {
        this.maxImages = maxImages;
        this.reader = JsonBodies.strictMapper(StreamReadConstraints.builder().maxNestingDepth(16).maxNumberLength(64)
                        .maxStringLength(1 << 16).maxTokenCount((maxImages + 1L) * 1024).build())
                .readerFor(Body.class).withAttribute(MAX_VALUES, (long) maxImages * PIXELS);
    }

    public InferRequest parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw OipException.badRequest("empty request body: expected an inference request JSON object");
        }
        Body request;
        try (JsonParser p = reader.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw OipException.badRequest("the request must be a JSON object");
            }
            request = reader.readValue(p);
        } catch (UnrecognizedPropertyException e) {
            throw OipException.badRequest(JsonBodies.reason(e));
        } catch (JsonProcessingException e) {
            if (e.getCause() instanceof OipException refused) {
                throw refused;
            }
            throw OipException.badRequest("malformed JSON: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw OipException.badRequest("malformed JSON: " + firstLine(e.getMessage()));
        }
        if (request.inputs() == null || request.inputs().isEmpty()) {
            throw OipException.badRequest("\"inputs\" is required: one tensor of shape [N, 784]");
        }
        if (request.inputs().size() > 1) {
            throw OipException.badRequest("this model takes exactly one input tensor (" + OipModel.INPUT + ", [N, 784])");
        }
        return request.inputs().get(0).toRequest(request.id(), outputs(request.outputs()), maxImages);
    }

    private static List<String> outputs(List<Output> outputs) {
        if (outputs == null) {
            return List.of();
        }
        for (Output o : outputs) {
            if (o == null || o.name() == null) {
                throw OipException.badRequest("a requested output needs a \"name\"");
            }
            if (!OipModel.OUTPUT_NAMES.contains(o.name())) {
                throw OipException.badRequest("unknown output \"" + o.name() + "\"; this model has " + OipModel.OUTPUT_NAMES);
            }
        }
        return outputs.stream().map(Output::name).toList();
    }

    /** Numbers, flat or nested, into one array; 413 at the first value past {@code max-batch-size} images. */
    static final class DataReader extends JsonDeserializer<double[]> {
        @Override
        public double[] deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.isExpectedStartArrayToken()) {
                throw OipException.badRequest("\"data\" must be an array of numbers (flat or nested)");
            }
            long limit = (Long) ctxt.getAttribute(MAX_VALUES);
            double[] values = new double[0];
            int count = 0;
            for (int depth = 1; depth > 0; ) {
                switch (p.nextToken()) {
                    case START_ARRAY -> depth++;
                    case END_ARRAY -> depth--;
                    case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                        if (count == limit) {
                            throw new OipException(413, "more than " + limit / PIXELS + " images of 784 pixels in one request");
                        }
                        if (count == values.length) {
                            values = Arrays.copyOf(values, (int) Math.min(limit, Math.max(PIXELS, values.length * 2L)));
                        }
                        values[count++] = p.getDoubleValue();
                    }
                    default -> throw OipException.badRequest("\"data\" must hold numbers only");
                }
            }
            return Arrays.copyOf(values, count);
        }
    }

    /** One input tensor; {@code data} stays doubles until shape and type are known. */
    @JsonIgnoreProperties("parameters")
    record Tensor(String name, long[] shape, String datatype, @JsonDeserialize(using = DataReader.class) double[] data) {
        InferRequest toRequest(String id, List<String> outputs, int maxImages) {
            if (name == null || datatype == null || shape == null || data == null) {
                throw OipException.badRequest("an input tensor needs \"name\", \"shape\", \"datatype\" and \"data\"");
            }
            if (shape.length > 8) {
                throw OipException.badRequest("\"shape\" must be an array of at most 8 integers");
            }
            int n = images(shape);
            if (n > maxImages) {
                throw new OipException(413, n + " images exceed the limit of " + maxImages + " per request");
            }
            if (data.length != (long) n * PIXELS) {
                throw OipException.badRequest("shape " + Arrays.toString(shape) + " holds " + ((long) n * PIXELS)
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
            throw OipException.badRequest("shape " + Arrays.toString(shape)
                    + " is not an image batch of this model: use [N, 784]");
        }
        if (n < 1 || n > Integer.MAX_VALUE) {
            throw OipException.badRequest("the batch dimension must be at least 1, got " + n);
        }
        return (int) n;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
