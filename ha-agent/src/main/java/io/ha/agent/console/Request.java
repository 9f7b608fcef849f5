package io.ha.agent.console;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * One console request: its path below {@code /ui}, its query or form parameters (each named once at most) and its
 * session cookie.
 *
 * <p>Guarantee: at most {@link #MAX_QUERY} characters of query and {@link #MAX_FORM} bytes of form are read;
 * beyond them, or with a malformed encoding or a repeated parameter, {@link BadRequest} names the problem. Not
 * guaranteed: anything about a parameter's value beyond its encoding (pages check their own).
 */
final class Request {
    static final int MAX_QUERY = 2048;
    static final int MAX_FORM = 4096;
    static final String COOKIE = "ha_console";

    /** A request the console refuses with 400 (or {@code status}), its message naming the parameter or limit. */
    static final class BadRequest extends RuntimeException {
        final int status;

        BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }

        BadRequest(String message) {
            this(400, message);
        }
    }

    final HttpExchange exchange;
    final String path;
    private final Map<String, String> params;

    private Request(HttpExchange exchange, String path, Map<String, String> params) {
        this.exchange = exchange;
        this.path = path;
        this.params = params;
    }

    static Request of(HttpExchange ex) throws IOException {
        String raw = ex.getRequestURI().getRawPath();
        String path = raw.length() <= 3 ? "/" : raw.substring(3);
        String query = ex.getRequestURI().getRawQuery();
        if (query != null && query.length() > MAX_QUERY) {
            throw new BadRequest(414, "the query is longer than " + MAX_QUERY + " characters");
        }
        Map<String, String> params = parse(query);
        if ("POST".equals(ex.getRequestMethod())) {
            String type = ex.getRequestHeaders().getFirst("Content-Type");
            if (type != null && !type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
                throw new BadRequest(415, "actions take an HTML form (application/x-www-form-urlencoded)");
            }
            byte[] body = ex.getRequestBody().readNBytes(MAX_FORM + 1);
            if (body.length > MAX_FORM) {
                throw new BadRequest(413, "the form is larger than " + MAX_FORM + " bytes");
            }
            parse(new String(body, StandardCharsets.UTF_8)).forEach((k, v) -> {
                if (params.putIfAbsent(k, v) != null) {
                    throw new BadRequest("parameter '" + k + "' is given twice");
                }
            });
        }
        return new Request(ex, path, params);
    }

    private static Map<String, String> parse(String encoded) {
        Map<String, String> out = new HashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return out;
        }
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (out.putIfAbsent(name, value) != null) {
                throw new BadRequest("parameter '" + name + "' is given twice");
            }
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("malformed percent-encoding in the query or form");
        }
    }

    String method() {
        return exchange.getRequestMethod();
    }

    /** The parameter, trimmed, or null when absent or blank. */
    String param(String name) {
        String v = params.get(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    /** The parameter as a whole number in {@code min}-{@code max}, {@code absent} when not given. */
    int intParam(String name, int absent, int min, int max) {
        String v = param(name);
        if (v == null) {
            return absent;
        }
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new BadRequest("parameter '" + name + "' must be a whole number in " + min + "-" + max);
        }
        if (n < min || n > max) {
            throw new BadRequest("parameter '" + name + "' must be in " + min + "-" + max + " (at most " + max
                    + "), got " + n);
        }
        return n;
    }

    /** The session cookie's value, or null. */
    String sessionCookie() {
        for (String header : exchange.getRequestHeaders().getOrDefault("Cookie", java.util.List.of())) {
            for (String part : header.split(";")) {
                String p = part.trim();
                if (p.startsWith(COOKIE + "=")) {
                    return p.substring(COOKIE.length() + 1);
                }
            }
        }
        return null;
    }
}
