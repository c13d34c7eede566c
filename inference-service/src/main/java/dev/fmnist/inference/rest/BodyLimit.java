package dev.fmnist.inference.rest;

import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.inference.service.InvalidInputException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The one body-size policy of {@code /api/v1/classify} ({@code fmnist.inference.max-body-bytes}):
 * checked on the announced Content-Length before reading ({@link BodyLimitPolicy}) and on the bytes
 * actually read, so a chunked body without Content-Length is held to the same limit.
 */
@ApplicationScoped
public class BodyLimit {
    private final long maxBytes;

    public BodyLimit(InferenceConfig config) {
        this.maxBytes = config.maxBodyBytes();
    }

    public long maxBytes() {
        return maxBytes;
    }

    public boolean exceeded(long bytes) {
        return bytes > maxBytes;
    }

    public InvalidInputException tooLarge(long bytes) {
        return InvalidInputException.tooLarge("request body of " + bytes + " bytes exceeds the limit of " + maxBytes);
    }

    /** @throws InvalidInputException (413) when a body read whole is over the limit */
    public byte[] check(byte[] body) {
        if (body != null && exceeded(body.length)) {
            throw tooLarge(body.length);
        }
        return body;
    }

    /** A view of {@code in} that fails with {@link TooLarge} as soon as more than the limit has been read. */
    public InputStream bounded(InputStream in) {
        return new FilterInputStream(in) {
            private long read;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    count(1);
                }
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                if (n > 0) {
                    count(n);
                }
                return n;
            }

            private void count(int n) throws TooLarge {
                read += n;
                if (exceeded(read)) {
                    throw new TooLarge("request body exceeds the limit of " + maxBytes + " bytes");
                }
            }
        };
    }

    /** Thrown by a {@link #bounded} stream; an IOException so parsers pass it through unchanged. */
    public static final class TooLarge extends IOException {
        TooLarge(String message) {
            super(message);
        }
    }
}
