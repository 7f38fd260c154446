package io.facerec.gallery.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;

/** The small pages a visitor without a session sees in the zero-setup run (no script, nothing from the library). */
final class SignInPages {
    private SignInPages() {}

    /** 401 with a page that says to open the address facerec printed (or that the one used is not valid). */
    static void tokenRequired(HttpServletResponse response, boolean wrongToken) throws IOException {
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        response.setContentType("text/html;charset=UTF-8");
        response.setHeader("Cache-Control", "no-store");
        String why = wrongToken
                ? "This address is not valid for the running gallery (was facerec restarted?)."
                : "This gallery is private to whoever started it.";
        String page = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>facerec · sign in</title>"
                + "<link rel=\"stylesheet\" href=\"/gallery.css\"></head><body><main><h1>facerec</h1><p>" + why
                + "</p><p>Open the address that <code>facerec --images … --serve</code> printed when it started "
                + "(it ends with <code>?token=…</code>); it signs this browser in.</p></main></body></html>";
        response.getOutputStream().write(page.getBytes(StandardCharsets.UTF_8));
    }

    /** The zero-setup entry point for pages: the token page. */
    static AuthenticationEntryPoint tokenPage() {
        return (HttpServletRequest request, HttpServletResponse response, AuthenticationException e) ->
                tokenRequired(response, false);
    }
}
