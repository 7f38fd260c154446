package io.facerec.gallery.security;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserRequest;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserService;
import org.springframework.security.oauth2.client.userinfo.OAuth2UserService;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;

/**
 * Gives a user who signed in through the identity provider the gallery's roles, from one claim of the ID token or
 * user info (a list of groups or roles, or one space- or comma-separated string): editor when it holds one of the
 * editor values, viewer for a viewer value, else the configured default role (none by default: such a user is signed in
 * but refused everything).
 */
final class OidcRoles implements OAuth2UserService<OidcUserRequest, OidcUser> {
    private final OidcUserService delegate = new OidcUserService();
    private final GallerySecurityProperties.Oidc settings;

    OidcRoles(GallerySecurityProperties.Oidc settings) {
        this.settings = settings;
    }

    @Override
    public OidcUser loadUser(OidcUserRequest request) {
        OidcUser user = delegate.loadUser(request);
        Set<GrantedAuthority> authorities = new LinkedHashSet<>(user.getAuthorities());
        for (GallerySecurityProperties.Role r : roles(user.getClaims(), settings)) {
            authorities.add(new SimpleGrantedAuthority("ROLE_" + r.name()));
        }
        String nameKey = request.getClientRegistration()
                .getProviderDetails()
                .getUserInfoEndpoint()
                .getUserNameAttributeName();
        return nameKey == null || nameKey.isBlank()
                ? new DefaultOidcUser(authorities, user.getIdToken(), user.getUserInfo())
                : new DefaultOidcUser(authorities, user.getIdToken(), user.getUserInfo(), nameKey);
    }

    /** The gallery roles the claims grant. */
    static Set<GallerySecurityProperties.Role> roles(
            Map<String, Object> claims, GallerySecurityProperties.Oidc settings) {
        Set<String> values = new LinkedHashSet<>();
        Object claim = claims.get(settings.rolesClaim());
        if (claim instanceof Collection<?> c) {
            c.forEach(v -> values.add(String.valueOf(v)));
        } else if (claim != null) {
            for (String v : String.valueOf(claim).split("[\\s,]+")) {
                if (!v.isBlank()) {
                    values.add(v);
                }
            }
        }
        Set<GallerySecurityProperties.Role> roles = new LinkedHashSet<>();
        if (settings.editorValues().stream().anyMatch(values::contains)) {
            roles.add(GallerySecurityProperties.Role.EDITOR);
        }
        if (settings.viewerValues().stream().anyMatch(values::contains)) {
            roles.add(GallerySecurityProperties.Role.VIEWER);
        }
        if (roles.isEmpty() && settings.defaultRole() != null) {
            roles.add(settings.defaultRole());
        }
        return roles;
    }
}
