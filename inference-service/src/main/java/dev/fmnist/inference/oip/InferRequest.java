package dev.fmnist.inference.oip;

import java.util.List;

/**
 * A parsed and checked Open Inference Protocol v2 infer request for this model: {@code n} images of
 * 784 pixels, given either as UINT8 (0-255, kept as bytes) or FP32 (0-1, kept as floats scaled to
 * 0-255 so both score through the same weights).
 *
 * @param id            the request's id, echoed in the response (null when absent)
 * @param inputName     the name the client gave its input tensor
 * @param n             number of images
 * @param uint8         n x 784 bytes when the datatype was UINT8, else null
 * @param fp32          n x 784 floats in 0-255 when the datatype was FP32, else null
 * @param outputs       the output names asked for; empty = all
 */
public record InferRequest(String id, String inputName, int n, byte[] uint8, float[] fp32, List<String> outputs) {
    public boolean wants(String output) {
        return outputs.isEmpty() || outputs.contains(output);
    }
}
