package dev.fmnist.console.rest;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The JSON error body every service here answers with: {@code {"error": "reason"}}. */
public record ErrorResponse(String error) {
    public static Response of(int status, String reason) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ErrorResponse(reason)).build();
    }
}
