package dev.fmnist.support.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/** Bearer tokens per role. Several tokens of a role are valid at once, so a token can be rotated without downtime. */
@ConfigMapping(prefix = "fmnist.auth")
public interface AuthConfig {
    /**
     * False opens every protected endpoint to everyone (a warning is logged at startup). Only for a
     * trusted network; the default keeps endpoints of a role without a token closed.
     */
    @WithDefault("true")
    boolean enabled();

    /** Tokens granting {@link Roles#ADMIN} (comma-separated); an admin token also acts as writer. None: admin endpoints refuse every request. */
    Optional<List<String>> adminTokens();

    /** Tokens granting {@link Roles#WRITER} (comma-separated). None: write endpoints refuse every request but admin tokens. */
    Optional<List<String>> writerTokens();
}
