package dev.fmnist.support.auth;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The configured tokens and the one rule for roles: a role without a token is granted to no request
 * (secure by default) unless {@code fmnist.auth.enabled=false}, which grants every role to every request.
 * An admin token also grants writer, so one operator token is enough for every write. Tokens are kept
 * only as SHA-256 digests and compared with {@link MessageDigest#isEqual} over digests of equal length,
 * against every configured token each time, so neither the timing nor the length of a guess tells
 * anything; no token is ever logged.
 */
@ApplicationScoped
public class BearerTokens {
    private static final Logger LOG = Logger.getLogger(BearerTokens.class);
    private final boolean enabled;
    private final Map<String, List<byte[]>> digestsByRole = new LinkedHashMap<>();

    public BearerTokens(AuthConfig config) {
        this.enabled = config.enabled();
        add(Roles.ADMIN, config.adminTokens(), "fmnist.auth.admin-tokens");
        add(Roles.WRITER, config.writerTokens(), "fmnist.auth.writer-tokens");
        if (!enabled) {
            LOG.warn("fmnist.auth.enabled=false: every admin and write endpoint is open to everyone");
        }
    }

    private void add(String role, Optional<List<String>> tokens, String property) {
        List<byte[]> digests = new ArrayList<>();
        tokens.orElse(List.of()).stream().map(String::trim).filter(t -> !t.isEmpty()).forEach(t -> digests.add(digest(t)));
        if (digests.isEmpty() && enabled) {
            LOG.warnf("%s is not set: the endpoints of role '%s' refuse every request (set it, or fmnist.auth.enabled=false)",
                    property, role);
        }
        digestsByRole.put(role, digests);
    }

    /** False when {@code fmnist.auth.enabled=false}: every request has every role. */
    public boolean enabled() {
        return enabled;
    }

    /** Every role, for the identity of a request when authentication is disabled. */
    public Set<String> allRoles() {
        return Set.copyOf(digestsByRole.keySet());
    }

    /** True when {@code role} has at least one configured token. */
    public boolean configured(String role) {
        return !digestsByRole.getOrDefault(role, List.of()).isEmpty();
    }

    /** The roles {@code token} grants (empty when it is no configured token). */
    public Set<String> rolesOf(String token) {
        byte[] given = digest(token);
        Set<String> roles = new LinkedHashSet<>();
        for (var e : digestsByRole.entrySet()) {
            boolean match = false;
            for (byte[] expected : e.getValue()) {
                match |= MessageDigest.isEqual(expected, given);
            }
            if (match) {
                roles.add(e.getKey());
            }
        }
        if (roles.contains(Roles.ADMIN)) {
            roles.add(Roles.WRITER);
        }
        return roles;
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
