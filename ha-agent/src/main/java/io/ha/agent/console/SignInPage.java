package io.ha.agent.console;

/** The sign-in form: a token (the agent's {@code http.token} or the console's own token) opens a session. */
final class SignInPage {
    private SignInPage() {
    }

    /** @param error shown above the form, or null */
    static String form(boolean possible, String error) {
        if (!possible) {
            return Html.message("Read-only console", "No sign-in token is configured for this console (http.token "
                    + "or http.console.token.file on an agent, --token-file or HA_CONSOLE_TOKEN for ha-ctl "
                    + "console): it shows the cluster and refuses every action.");
        }
        return "<section class=\"msg\"><h1 id=\"heading\">Sign in</h1>"
                + (error == null ? "" : "<p class=\"error\" id=\"message\">" + Html.esc(error) + "</p>")
                + "<p>Without signing in the console is read-only. A token (the agent's http.token or the console "
                + "token) lets you cancel and retry tasks, drain agents and pause, resume or trigger schedules.</p>"
                + "<form method=\"post\" action=\"/ui/signin\" id=\"signin-form\"><label>token "
                + "<input type=\"password\" name=\"token\" id=\"token\" autocomplete=\"current-password\" required>"
                + "</label> <button type=\"submit\" id=\"signin-go\">sign in</button></form></section>";
    }
}
