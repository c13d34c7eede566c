package dev.fmnist.inference.oip;

import dev.fmnist.support.rest.ApiException;

/**
 * A request the Open Inference Protocol refuses with {@code {"error": "..."}} and a status: 400 for
 * a malformed request, 413 for too many images.
 */
public final class OipException extends ApiException {
    public OipException(int status, String message) {
        super(status, message);
    }

    public static OipException badRequest(String message) {
        return new OipException(400, message);
    }
}
