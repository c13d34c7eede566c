package dev.fmnist.inference.oip;

/**
 * A request the Open Inference Protocol answers with {@code {"error": "..."}} and a status: 400 for
 * a malformed request, 404 for an unknown model or version, 413 for too many images.
 */
public final class OipException extends RuntimeException {
    private final int status;

    public OipException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static OipException badRequest(String message) {
        return new OipException(400, message);
    }
}
