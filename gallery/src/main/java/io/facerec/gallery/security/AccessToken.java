package io.facerec.gallery.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The zero-setup run's secret: 256 random bits, made once per run and shown once, in the URL the command prints
 * ({@code http://127.0.0.1:8080/?token=...}). Whoever opens that URL gets a session; nobody else gets in.
 */
public final class AccessToken {
    /** The query parameter that carries it. */
    public static final String PARAMETER = "token";

    private final String value;

    private AccessToken(String value) {
        this.value = value;
    }

    /** A new token from the platform's strong random source. */
    public static AccessToken random() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return new AccessToken(Base64.getUrlEncoder().withoutPadding().encodeToString(b));
    }

    /** The token, for the URL the command prints; nothing else should show it. */
    public String value() {
        return value;
    }

    /** Constant-time comparison, so response times tell nothing about how much of a guess was right. */
    public boolean matches(String candidate) {
        return candidate != null
                && MessageDigest.isEqual(
                        value.getBytes(StandardCharsets.US_ASCII), candidate.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return "AccessToken[hidden]";
    }
}
