package dev.fmnist.inference.export;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The formats the trained weights can be downloaded in. */
public enum ExportFormat {
    /** NumPy's zip of .npy arrays: {@code numpy.load(path)["W"]}. */
    NPZ("npz", "application/zip"),
    /** Hugging Face safetensors: an 8-byte header length, a JSON header, little-endian tensors. */
    SAFETENSORS("safetensors", "application/octet-stream"),
    /** An ONNX model of the whole network, raw uint8 pixels in, probabilities out ({@link OnnxExporter}). */
    ONNX("onnx", "application/octet-stream");

    private final String extension;
    private final String mediaType;

    ExportFormat(String extension, String mediaType) {
        this.extension = extension;
        this.mediaType = mediaType;
    }

    public String extension() {
        return extension;
    }

    public String mediaType() {
        return mediaType;
    }

    /** The names {@link #parse} accepts, for an error message: "npz, safetensors, onnx". */
    public static String names() {
        return Arrays.stream(values()).map(ExportFormat::extension).collect(Collectors.joining(", "));
    }

    public static Optional<ExportFormat> parse(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String n = name.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(f -> f.extension.equals(n)).findFirst();
    }
}
