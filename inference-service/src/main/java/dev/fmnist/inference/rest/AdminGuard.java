package dev.fmnist.inference.rest;

import dev.fmnist.inference.config.InferenceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.jboss.logging.Logger;

/** Checks {@code Authorization: Bearer <token>} when {@code fmnist.inference.admin-token} is set. */
@ApplicationScoped
public class AdminGuard {
    private static final Logger LOG = Logger.getLogger(AdminGuard.class);
    private final byte[] expected;

    public AdminGuard(InferenceConfig config) {
        this.expected = config.adminToken().filter(t -> !t.isBlank())
                .map(t -> ("Bearer " + t).getBytes(StandardCharsets.UTF_8)).orElse(null);
        if (expected == null) {
            LOG.warn("fmnist.inference.admin-token is not set: the admin endpoints (pin, rollback) are open");
        }
    }

    /** @throws UnauthorizedException when a token is configured and the header does not carry it */
    public void check(String authorization) {
        if (expected == null) {
            return;
        }
        byte[] given = authorization == null ? new byte[0] : authorization.trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(expected, given)) {
            throw new UnauthorizedException(authorization == null ? "admin endpoint: Authorization: Bearer <token> required"
                    : "admin endpoint: invalid bearer token");
        }
    }

    /** HTTP 401. */
    public static class UnauthorizedException extends RuntimeException {
        public UnauthorizedException(String message) {
            super(message);
        }
    }
}
