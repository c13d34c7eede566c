package dev.fmnist.support.rest;

import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import java.util.OptionalLong;

/** The body size a request announces, for the filters that refuse a too large body before it is read. */
public final class ContentLength {
    private ContentLength() {
    }

    /**
     * @return the announced length; empty when there is none (a chunked body: only the server's body limit bounds it)
     * @throws BadRequestException (a JSON 400) when the header is not a number
     */
    public static OptionalLong announced(ContainerRequestContext request) {
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(length.trim()));
        } catch (NumberFormatException e) {
            throw new BadRequestException("invalid Content-Length " + length);
        }
    }
}
