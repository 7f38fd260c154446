package io.facerec.gallery.security;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Who may use the gallery ({@code facerec.gallery.security.*}).
 *
 * @param mode {@code TOKEN}: the zero-setup run's per-run secret, printed once in the gallery's URL (the launcher sets
 *     this); {@code ACCOUNTS}: the configured users and, when a client registration is configured, OIDC login (the
 *     default: the separate {@code GalleryApplication} and compose)
 * @param users users with password hashes ({@code {bcrypt}$2a$...}, any id of Spring Security's
 *     {@code DelegatingPasswordEncoder} except {@code {noop}}) and roles
 * @param allowedHosts host names the gallery answers to, besides {@code localhost}, {@code 127.0.0.1}, {@code [::1]} and
 *     {@code server.address}; any other {@code Host} header is refused (DNS rebinding). Behind a reverse proxy: its
 *     public name
 * @param oidc how an identity provider's users get roles
 */
@Validated
@ConfigurationProperties("facerec.gallery.security")
public record GallerySecurityProperties(
        @NotNull @DefaultValue("ACCOUNTS") Mode mode,
        @NotNull @DefaultValue @Valid List<User> users,
        @NotNull @DefaultValue List<String> allowedHosts,
        @NotNull @DefaultValue @Valid Oidc oidc) {

    /** How people sign in. */
    public enum Mode {
        TOKEN,
        ACCOUNTS
    }

    /** What a signed-in person may do. */
    public enum Role {
        /** look at persons, faces and photos */
        VIEWER,
        /** also correct: rename, merge, move, split, confirm, "not this person", hide (includes VIEWER) */
        EDITOR,
        /** read the operations endpoints (metrics, health details): the Prometheus scraper's role */
        METRICS
    }

    /**
     * A configured user. A slot with neither name nor password is ignored (compose fills optional slots that way).
     *
     * @param password the password's hash with its encoder id, e.g. {@code {bcrypt}$2a$10$...} (see README, Security)
     */
    public record User(
            String name,
            String password,
            @DefaultValue("VIEWER") Set<Role> roles) {
        boolean blank() {
            return (name == null || name.isBlank()) && (password == null || password.isBlank());
        }
    }

    /**
     * Roles for users who sign in through an identity provider
     * ({@code spring.security.oauth2.client.registration.*}).
     *
     * @param rolesClaim the ID token or user-info claim listing the user's groups or roles
     * @param editorValues claim values that make an editor
     * @param viewerValues claim values that make a viewer
     * @param defaultRole the role of a signed-in user with none of these values ({@code null}: none, every page is
     *     refused)
     */
    public record Oidc(
            @DefaultValue("groups") String rolesClaim,
            @DefaultValue("facerec-editors") List<String> editorValues,
            @DefaultValue("facerec-viewers") List<String> viewerValues,
            Role defaultRole) {}
}
