package io.facerec.gallery.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.List;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The zero-setup sign-in, as notebook servers do it: a GET carrying the run's {@link AccessToken} as {@code ?token=}
 * opens a session (the owner of the run: editor, and the operations endpoints) and is redirected to the same address
 * without the token, so it does not stay in the address bar, the history or a Referer. A wrong token gets 401 and the
 * page that says where the right address is. Every other request goes on to the normal checks.
 */
final class TokenLoginFilter extends OncePerRequestFilter {
    static final String OWNER = "owner";

    private final AccessToken token;
    private final SecurityContextRepository contexts;

    TokenLoginFilter(AccessToken token, SecurityContextRepository contexts) {
        this.token = token;
        this.contexts = contexts;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String given = request.getParameter(AccessToken.PARAMETER);
        if (given == null || !"GET".equals(request.getMethod())) {
            chain.doFilter(request, response);
            return;
        }
        if (!token.matches(given)) {
            SignInPages.tokenRequired(response, true);
            return;
        }
        HttpSession old = request.getSession(false);
        if (old != null) {
            old.invalidate(); // a session planted before the sign-in is not the one that gets in (session fixation)
        }
        request.getSession(true);
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(
                OWNER,
                null,
                List.of(
                        new SimpleGrantedAuthority("ROLE_EDITOR"),
                        new SimpleGrantedAuthority("ROLE_VIEWER"),
                        new SimpleGrantedAuthority("ROLE_METRICS"))));
        SecurityContextHolder.setContext(context);
        contexts.saveContext(context, request, response);
        String target = UriComponentsBuilder.fromPath(request.getRequestURI())
                .query(request.getQueryString())
                .replaceQueryParam(AccessToken.PARAMETER)
                .build(true)
                .toUriString();
        response.setHeader("Cache-Control", "no-store");
        response.sendRedirect(target);
    }
}
