package io.ha.agent.console;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Signed-in console sessions, in this process's memory: a random session id (the cookie) bound to a random CSRF
 * token that every action must send back.
 *
 * <p>Guarantee: ids and tokens are 256 random bits; a session ends {@link #LIFETIME} after sign-in, at sign-out, or
 * when more than {@link #MAX} sessions are open (the oldest goes). Not guaranteed: sessions surviving a restart of
 * the process (sign in again), or sharing a session between the console of two agents.
 */
final class Sessions {
    static final Duration LIFETIME = Duration.ofHours(8);
    static final int MAX = 1000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Session(String csrf, long expiresAt) {
    }

    private final Map<String, Session> open = new LinkedHashMap<>();

    /** Opens a session; returns its viewer (id and CSRF token). */
    synchronized Viewer open() {
        if (open.size() >= MAX) {
            Iterator<String> oldest = open.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        String id = random();
        String csrf = random();
        open.put(id, new Session(csrf, System.currentTimeMillis() + LIFETIME.toMillis()));
        return new Viewer(id, csrf);
    }

    /** The viewer of a session cookie's value: read-only when it names no open session. */
    synchronized Viewer viewer(String sessionId) {
        if (sessionId == null) {
            return Viewer.READ_ONLY;
        }
        Session s = open.get(sessionId);
        if (s == null) {
            return Viewer.READ_ONLY;
        }
        if (s.expiresAt() < System.currentTimeMillis()) {
            open.remove(sessionId);
            return Viewer.READ_ONLY;
        }
        return new Viewer(sessionId, s.csrf());
    }

    synchronized void close(String sessionId) {
        if (sessionId != null) {
            open.remove(sessionId);
        }
    }

    /** Whether {@code given} is the viewer's CSRF token, compared in constant time. */
    static boolean csrfMatches(Viewer viewer, String given) {
        return viewer.signedIn() && given != null && MessageDigest.isEqual(
                viewer.csrf().getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }

    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
