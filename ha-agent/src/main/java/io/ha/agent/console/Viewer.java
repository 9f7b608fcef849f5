package io.ha.agent.console;

/**
 * Who is looking at a page: signed in (with the CSRF token of the session, which every action form carries) or
 * read-only.
 */
record Viewer(String session, String csrf) {
    static final Viewer READ_ONLY = new Viewer(null, null);

    boolean signedIn() {
        return session != null;
    }
}
