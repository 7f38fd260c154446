package io.facerec.common.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;

/**
 * A browser-like HTTP client for the security tests: real requests to the running gallery, with a cookie jar (the
 * session and the CSRF cookie), and raw requests for what {@link HttpClient} will not send (a foreign Host header, a
 * chunked body).
 */
public final class Http {
    public final String base;
    public final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
    public final HttpClient client;

    public Http(String base) {
        this.base = base.endsWith("/") ? base : base + "/";
        this.client = HttpClient.newBuilder()
                .cookieHandler(cookies)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + (path.startsWith("/") ? path.substring(1) : path)))
                .timeout(Duration.ofSeconds(60));
    }

    public HttpResponse<String> send(HttpRequest.Builder r) throws IOException, InterruptedException {
        return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    public HttpResponse<byte[]> getBytes(String path) throws IOException, InterruptedException {
        return client.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** A page as a browser asks for it (Accept: text/html). */
    public HttpResponse<String> page(String path) throws IOException, InterruptedException {
        return send(request(path)
                .header("Accept", "text/html,application/xhtml+xml")
                .GET());
    }

    /** An unsafe request as gallery.js sends it: JSON with the CSRF cookie's value in X-XSRF-TOKEN. */
    public HttpResponse<String> json(String method, String path, String body) throws IOException, InterruptedException {
        return send(request(path)
                .header("Content-Type", "application/json")
                .header("X-XSRF-TOKEN", csrf())
                .method(method, HttpRequest.BodyPublishers.ofString(body)));
    }

    public String csrf() {
        return cookie("XSRF-TOKEN");
    }

    public String cookie(String name) {
        return cookies.getCookieStore().getCookies().stream()
                .filter(c -> c.getName().equals(name))
                .map(HttpCookie::getValue)
                .findFirst()
                .orElse("");
    }

    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Sends raw bytes to the server and returns the status code of the answer. */
    public static int raw(String host, int port, String request) throws IOException {
        return Integer.parseInt(rawResponse(host, port, request).split(" ", 3)[1]);
    }

    /** Sends raw bytes and returns the whole answer (headers and body) the server sent before closing or 5 s. */
    public static String rawResponse(String host, int port, String request) throws IOException {
        try (Socket s = new Socket(host, port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder sb = new StringBuilder();
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    sb.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    if (sb.indexOf("\r\n\r\n") > 0 && complete(sb)) {
                        break;
                    }
                }
            } catch (SocketTimeoutException | SocketException e) {
                // the server closed or stopped answering: what arrived is the answer
            }
            return sb.toString();
        }
    }

    private static boolean complete(StringBuilder sb) {
        String head = sb.substring(0, sb.indexOf("\r\n\r\n")).toLowerCase(Locale.ROOT);
        int cl = head.indexOf("content-length:");
        if (cl < 0) {
            return head.contains("transfer-encoding: chunked") ? sb.toString().endsWith("0\r\n\r\n") : true;
        }
        int end = head.indexOf("\r\n", cl);
        long length = Long.parseLong(
                head.substring(cl + 15, end < 0 ? head.length() : end).strip());
        return sb.length() - sb.indexOf("\r\n\r\n") - 4 >= length;
    }
}
