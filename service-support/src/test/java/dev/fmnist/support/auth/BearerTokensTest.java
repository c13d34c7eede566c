package dev.fmnist.support.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BearerTokensTest {
    private static AuthConfig config(boolean enabled, List<String> admin, List<String> writer) {
        return new AuthConfig() {
            @Override public boolean enabled() { return enabled; }
            @Override public Optional<List<String>> adminTokens() { return Optional.ofNullable(admin); }
            @Override public Optional<List<String>> writerTokens() { return Optional.ofNullable(writer); }
            @Override public Jwt jwt() { return JwtVerifierTest.jwtConfig(null); }
        };
    }

    @Test
    void everyConfiguredTokenOfARoleIsValidForRotation() {
        BearerTokens tokens = new BearerTokens(config(true, List.of("old-admin", " new-admin "), List.of("w1")));
        assertEquals(Set.of(Roles.ADMIN, Roles.WRITER), tokens.rolesOf("old-admin"));
        assertEquals(Set.of(Roles.ADMIN, Roles.WRITER), tokens.rolesOf("new-admin"));
        assertEquals(Set.of(Roles.WRITER), tokens.rolesOf("w1"));
        assertEquals(Set.of(), tokens.rolesOf("old-admin2"));
        assertEquals(Set.of(), tokens.rolesOf(""));
    }

    @Test
    void aRoleWithoutTokensGrantsNothingUnlessAuthIsDisabled() {
        BearerTokens secure = new BearerTokens(config(true, null, List.of(" ", "")));
        assertTrue(secure.enabled());
        assertFalse(secure.configured(Roles.ADMIN));
        assertFalse(secure.configured(Roles.WRITER));
        assertEquals(Set.of(), secure.rolesOf(" "));
        assertEquals(Set.of(), secure.rolesOf(""));

        BearerTokens open = new BearerTokens(config(false, null, null));
        assertFalse(open.enabled());
        assertEquals(Set.of(Roles.ADMIN, Roles.WRITER), open.allRoles());
    }

    @Test
    void theSchemeIsCaseInsensitiveAndNeedsAToken() {
        assertEquals("abc", BearerAuthenticationMechanism.token("Bearer abc"));
        assertEquals("abc", BearerAuthenticationMechanism.token("bEaReR   abc "));
        assertNull(BearerAuthenticationMechanism.token("Bearerabc"));
        assertNull(BearerAuthenticationMechanism.token("Bearer   "));
        assertNull(BearerAuthenticationMechanism.token("Basic YWJj"));
        assertNull(BearerAuthenticationMechanism.token(null));
    }
}
