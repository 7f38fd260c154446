package io.facerec.gallery.security;

import io.facerec.gallery.GalleryLimits;
import io.facerec.gallery.security.GallerySecurityProperties.Mode;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.web.server.Cookie.SameSite;
import org.springframework.boot.web.server.servlet.CookieSameSiteSupplier;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.PropertySource;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import org.springframework.security.web.header.writers.CrossOriginOpenerPolicyHeaderWriter.CrossOriginOpenerPolicy;
import org.springframework.security.web.header.writers.CrossOriginResourcePolicyHeaderWriter.CrossOriginResourcePolicy;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * The gallery's security, in every mode (the zero-setup run and the separate {@code GalleryApplication} both import
 * it through {@code GalleryConfiguration}): nothing is served without signing in, except the sign-in pages, the style
 * sheet and the health status.
 * <ul>
 * <li><b>Who</b>: {@code TOKEN} mode (zero-setup): the run's {@link AccessToken} in the printed URL opens a session
 * ({@link TokenLoginFilter}). {@code ACCOUNTS} mode: the configured users (hashed passwords, form sign-in and HTTP
 * Basic for scripts and the Prometheus scraper) and, when a client registration is configured, OIDC sign-in with
 * roles from a claim ({@link OidcRoles}). With neither users nor a registration the gallery refuses to start.</li>
 * <li><b>What</b>: viewers read (GET), editors also correct (every other method on {@code /api}); the operations
 * endpoints need {@code METRICS} or {@code EDITOR}; health shows details only to them.</li>
 * <li><b>How</b>: pages without a session get the sign-in page (the token page in zero-setup mode), the API and the
 * images 401; CSRF tokens (cookie {@code XSRF-TOKEN}, header {@code X-XSRF-TOKEN}, which gallery.js sends) on every
 * unsafe method; only the allowed host names are answered (DNS rebinding); a Content-Security-Policy without inline
 * script or style, framing denied, no referrer, no MIME sniffing; request bodies bounded
 * ({@link RequestBodyLimitFilter}); session cookie HttpOnly and SameSite=Strict (Lax when an identity provider has to
 * bring the browser back with it).</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableWebSecurity
@EnableConfigurationProperties(GallerySecurityProperties.class)
@PropertySource("classpath:io/facerec/gallery/gallery-security.properties")
public class GallerySecurityConfiguration {
    private static final Logger log = LoggerFactory.getLogger(GallerySecurityConfiguration.class);

    /** The session cookie's name (set in gallery-security.properties). */
    static final String SESSION_COOKIE = "FACEREC_SESSION";

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
            + "form-action 'self'";

    @Bean
    @ConditionalOnProperty(name = "facerec.gallery.security.mode", havingValue = "TOKEN")
    AccessToken galleryAccessToken() {
        return AccessToken.random();
    }

    @Bean
    static RoleHierarchy galleryRoleHierarchy() {
        return RoleHierarchyImpl.withDefaultRolePrefix()
                .role("EDITOR")
                .implies("VIEWER")
                .build();
    }

    @Bean
    PasswordEncoder galleryPasswordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    /** The configured users; their password hashes are checked here, so a plain password stops the start. */
    @Bean
    UserDetailsService galleryUsers(GallerySecurityProperties props) {
        List<UserDetails> users = new ArrayList<>();
        if (props.mode() == Mode.ACCOUNTS) {
            for (GallerySecurityProperties.User u : props.users()) {
                if (u.blank()) {
                    continue;
                }
                users.add(User.withUsername(requireName(u))
                        .password(requireHash(u))
                        .roles(u.roles().stream().map(Enum::name).toArray(String[]::new))
                        .build());
            }
        }
        return new InMemoryUserDetailsManager(users);
    }

    static String requireName(GallerySecurityProperties.User u) {
        if (u.name() == null || u.name().isBlank()) {
            throw new IllegalStateException("facerec.gallery.security.users: a user has a password but no name");
        }
        return u.name();
    }

    /** The password must be a hash with its encoder id ({bcrypt}, {argon2}, {pbkdf2}, {scrypt}); {noop} is refused. */
    static String requireHash(GallerySecurityProperties.User u) {
        String p = u.password();
        String id = p == null || !p.startsWith("{") || p.indexOf('}') < 0 ? null : p.substring(1, p.indexOf('}'));
        if (id == null
                || id.equals("noop")
                || !List.of(
                                "bcrypt",
                                "argon2",
                                "argon2@SpringSecurity_v5_8",
                                "pbkdf2",
                                "pbkdf2@SpringSecurity_v5_8",
                                "scrypt",
                                "scrypt@SpringSecurity_v5_8",
                                "sha256")
                        .contains(id)
                || p.length() < id.length() + 3 + 20) {
            throw new IllegalStateException("facerec.gallery.security.users: the password of user " + u.name()
                    + " must be a password hash with its encoder id, e.g. {bcrypt}$2a$10$..., not the password itself "
                    + "(make one with: facerec --hash-password; see the README, section Security)");
        }
        return p;
    }

    @Bean
    WebSecurityCustomizer galleryHosts(GallerySecurityProperties props, Environment env) {
        Set<String> allowed = allowedHosts(props.allowedHosts(), env.getProperty("server.address"));
        log.info("gallery answers to host names {}", allowed);
        StrictHttpFirewall firewall = new StrictHttpFirewall();
        firewall.setAllowedHostnames(host -> host != null && allowed.contains(host.toLowerCase(Locale.ROOT)));
        return web -> web.httpFirewall(firewall);
    }

    /**
     * The host names answered: loopback, the configured ones, and the bind address; when bound to every interface
     * (0.0.0.0 or ::) also this machine's name and the addresses of its interfaces.
     */
    static Set<String> allowedHosts(List<String> configured, String serverAddress) {
        Set<String> hosts = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1", "[::1]"));
        for (String h : configured) {
            if (h != null && !h.isBlank()) {
                addHost(hosts, h.strip());
            }
        }
        if (serverAddress != null && !serverAddress.isBlank()) {
            try {
                InetAddress bind = InetAddress.getByName(serverAddress.strip());
                if (bind.isAnyLocalAddress()) {
                    addThisMachine(hosts);
                } else {
                    addHost(hosts, bind.getHostAddress());
                    if (!serverAddress.strip().equals(bind.getHostAddress())) {
                        addHost(hosts, serverAddress.strip());
                    }
                }
            } catch (UnknownHostException e) {
                addHost(hosts, serverAddress.strip());
            }
        }
        return Collections.unmodifiableSet(hosts);
    }

    private static void addHost(Set<String> hosts, String h) {
        String host = h.toLowerCase(Locale.ROOT);
        hosts.add(host);
        if (host.contains(":") && !host.startsWith("[")) {
            hosts.add("[" + host + "]");
        }
    }

    private static void addThisMachine(Set<String> hosts) {
        try {
            InetAddress local = InetAddress.getLocalHost();
            addHost(hosts, local.getHostName());
            addHost(hosts, local.getCanonicalHostName());
        } catch (UnknownHostException e) {
            // no name: the addresses below still work
        }
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    String s = a.getHostAddress();
                    int zone = s.indexOf('%');
                    addHost(hosts, zone < 0 ? s : s.substring(0, zone));
                }
            }
        } catch (SocketException e) {
            log.warn("cannot list the network interfaces: {}", e.getMessage());
        }
    }

    /**
     * Session cookie SameSite=Strict, or Lax when an identity provider is configured (its redirect back to the gallery
     * is a cross-site navigation, which must carry the session that holds the sign-in's state); the CSRF cookie Strict.
     */
    @Bean
    CookieSameSiteSupplier galleryCookiesSameSite(ObjectProvider<ClientRegistrationRepository> registrations) {
        SameSite session = registrations.getIfAvailable() == null ? SameSite.STRICT : SameSite.LAX;
        return cookie -> SESSION_COOKIE.equals(cookie.getName()) ? session : SameSite.STRICT;
    }

    @Bean
    FilterRegistrationBean<RequestBodyLimitFilter> galleryRequestBodyLimit(GalleryLimits limits) {
        FilterRegistrationBean<RequestBodyLimitFilter> r =
                new FilterRegistrationBean<>(new RequestBodyLimitFilter(limits.maxBodyBytes()));
        r.setOrder(-200); // before the security filters (-100): an oversize body is refused before anything reads it
        r.addUrlPatterns("/*");
        return r;
    }

    @Bean
    SecurityFilterChain gallerySecurity(
            HttpSecurity http,
            GallerySecurityProperties props,
            ObjectProvider<AccessToken> token,
            ObjectProvider<ClientRegistrationRepository> registrations)
            throws Exception {
        ClientRegistrationRepository oidc = registrations.getIfAvailable();
        boolean hasUsers =
                props.mode() == Mode.ACCOUNTS && props.users().stream().anyMatch(u -> !u.blank());
        AuthenticationEntryPoint api = new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED);
        AuthenticationEntryPoint pages;
        if (props.mode() == Mode.TOKEN) {
            AccessToken t = token.getObject();
            pages = SignInPages.tokenPage();
            http.addFilterBefore(
                    new TokenLoginFilter(t, new HttpSessionSecurityContextRepository()),
                    AnonymousAuthenticationFilter.class);
        } else {
            if (!hasUsers && oidc == null) {
                throw new IllegalStateException("facerec gallery: nobody could sign in. Configure users "
                        + "(facerec.gallery.security.users[0].name, .password as a hash such as {bcrypt}$2a$..., "
                        + ".roles=VIEWER or EDITOR; FACEREC_GALLERY_SECURITY_USERS_0_NAME/_PASSWORD/_ROLES in the "
                        + "environment) or an OIDC client (spring.security.oauth2.client.registration.<id>.*); see the "
                        + "README, section Security. There are no default users or passwords.");
            }
            String single = oidc != null && !hasUsers ? singleRegistration(oidc) : null;
            pages = new LoginUrlAuthenticationEntryPoint(single != null ? "/oauth2/authorization/" + single : "/login");
            if (hasUsers) {
                http.formLogin(Customizer.withDefaults());
                http.httpBasic(b -> b.authenticationEntryPoint(api));
            }
            if (oidc != null) {
                http.oauth2Login(o -> o.userInfoEndpoint(u -> u.oidcUserService(new OidcRoles(props.oidc()))));
            }
            http.logout(l -> l.logoutSuccessUrl("/login?logout"));
        }
        // the API, the images and the operations endpoints answer 401; pages go to the sign-in (registered as
        // defaults, not as the one entry point, so Spring's generated sign-in page stays)
        RequestMatcher apiRequests = GallerySecurityConfiguration::isApiOrOperations;
        CookieCsrfTokenRepository csrfCookies = CookieCsrfTokenRepository.withHttpOnlyFalse();
        csrfCookies.setCookieCustomizer(c -> c.path("/"));
        http.csrf(c -> c.spa().csrfTokenRepository(csrfCookies))
                .exceptionHandling(e -> e.defaultAuthenticationEntryPointFor(api, apiRequests)
                        .defaultAuthenticationEntryPointFor(pages, AnyRequestMatcher.INSTANCE))
                .authorizeHttpRequests(a -> a.requestMatchers(
                                "/login", "/logout", "/error", "/gallery.css", "/favicon.ico", "/default-ui.css")
                        .permitAll()
                        .requestMatchers(EndpointRequest.to("health"))
                        .permitAll()
                        .requestMatchers(EndpointRequest.toAnyEndpoint())
                        .hasAnyRole("METRICS", "EDITOR")
                        .requestMatchers(HttpMethod.GET, "/api/**")
                        .hasRole("VIEWER")
                        .requestMatchers(HttpMethod.HEAD, "/api/**")
                        .hasRole("VIEWER")
                        .requestMatchers("/api/**")
                        .hasRole("EDITOR")
                        .anyRequest()
                        .hasRole("VIEWER"))
                .headers(h -> h.contentSecurityPolicy(c -> c.policyDirectives(CSP))
                        .frameOptions(f -> f.deny())
                        .referrerPolicy(r -> r.policy(ReferrerPolicy.NO_REFERRER))
                        .crossOriginOpenerPolicy(c -> c.policy(CrossOriginOpenerPolicy.SAME_ORIGIN))
                        .crossOriginResourcePolicy(c -> c.policy(CrossOriginResourcePolicy.SAME_ORIGIN))
                        .permissionsPolicyHeader(p -> p.policy("camera=(), microphone=(), geolocation=()")));
        return http.build();
    }

    private static boolean isApiOrOperations(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return path.startsWith("/api/") || path.startsWith("/actuator") || !accepts(request, "text/html");
    }

    private static boolean accepts(HttpServletRequest request, String type) {
        String accept = request.getHeader("Accept");
        return accept != null && accept.contains(type);
    }

    private static String singleRegistration(ClientRegistrationRepository repo) {
        if (repo instanceof Iterable<?> it) {
            List<String> ids = new ArrayList<>();
            for (Object r : it) {
                ids.add(((ClientRegistration) r).getRegistrationId());
            }
            return ids.size() == 1 ? ids.get(0) : null;
        }
        return null;
    }
}
