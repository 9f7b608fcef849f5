package io.ha.agent.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The console's HTML: escaping and the page frame. Every value that did not come from this class's own constants
 * goes through {@link #esc} (element text and quoted attributes alike) or {@link #url} (query values).
 *
 * <p>Guarantee: escaped text cannot open a tag, an attribute or an entity. Not guaranteed: safety of markup built
 * without these helpers.
 */
final class Html {
    private Html() {
    }

    /** Text safe in element content and in double- or single-quoted attribute values. */
    static String esc(Object value) {
        String s = value == null ? "" : String.valueOf(value);
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c < 0x20 && c != '\n' && c != '\t' ? '\uFFFD' : c);
            }
        }
        return out.toString();
    }

    /** A query parameter value, percent-encoded (then still escaped where it goes into an attribute). */
    static String url(String value) {
        return URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8);
    }

    /** {@code -} for null or empty values, else the escaped value. */
    static String orDash(Object value) {
        return value == null || String.valueOf(value).isEmpty() ? "-" : esc(value);
    }

    /**
     * A whole page: head with the bundled assets, the navigation, the sign-in state and {@code body}. The body is
     * expected to hold an element with id {@code live} that refreshes itself (see {@link #live}).
     */
    static String page(String title, String active, Viewer viewer, String body) {
        StringBuilder b = new StringBuilder(4096 + body.length());
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                // No inline styles or eval for htmx: the page's CSP forbids both.
                .append("<meta name=\"htmx-config\" content='{\"includeIndicatorStyles\":false,\"allowEval\":false,")
                .append("\"allowScriptTags\":false}'>")
                .append("<title>").append(esc(title)).append(" - HA console</title>")
                .append("<link rel=\"stylesheet\" href=\"/ui/assets/console.css\">")
                .append("<script src=\"/ui/assets/htmx.min.js\" defer></script></head><body>")
                .append("<header><span class=\"brand\">HA console</span><nav>");
        for (String[] item : new String[][] {{"overview", "/ui/"}, {"tasks", "/ui/tasks"},
                {"schedules", "/ui/schedules"}, {"limits", "/ui/limits"}}) {
            b.append("<a href=\"").append(item[1]).append('"').append(item[0].equals(active) ? " class=\"on\"" : "")
                    .append(" id=\"nav-").append(item[0]).append("\">").append(item[0]).append("</a>");
        }
        b.append("</nav><span class=\"who\" id=\"who\">");
        if (viewer.signedIn()) {
            b.append("signed in as operator ").append(form("/ui/signout", viewer, "", "sign out", "signout"));
        } else {
            b.append("<span class=\"readonly\" id=\"readonly\">read-only</span> <a href=\"/ui/signin\" id=\"signin\">"
                    + "sign in to act</a>");
        }
        b.append("</span></header><main>").append(body).append("</main></body></html>\n");
        return b.toString();
    }

    /** An element that re-reads itself from {@code url} every two seconds (htmx), keeping the rest of the page. */
    static String live(String url, String inner) {
        return "<div id=\"live\" hx-get=\"" + esc(url) + "\" hx-trigger=\"every 2s\" hx-select=\"#live\" "
                + "hx-swap=\"outerHTML\">" + inner + "</div>";
    }

    /**
     * A one-button POST form carrying the viewer's CSRF token and {@code hidden} (already escaped
     * {@code name=value} inputs); shown disabled with the reason when the viewer is not signed in.
     */
    static String form(String action, Viewer viewer, String hidden, String label, String id) {
        StringBuilder b = new StringBuilder("<form method=\"post\" class=\"act\" action=\"").append(esc(action))
                .append("\">").append(hidden);
        if (viewer.signedIn()) {
            b.append("<input type=\"hidden\" name=\"csrf\" value=\"").append(esc(viewer.csrf())).append("\">");
            b.append("<button type=\"submit\" id=\"").append(esc(id)).append("\">").append(esc(label))
                    .append("</button>");
        } else {
            b.append("<button type=\"submit\" disabled title=\"read-only: sign in to act\" id=\"").append(esc(id))
                    .append("\">").append(esc(label)).append("</button>");
        }
        return b.append("</form>").toString();
    }

    static String hidden(String name, String value) {
        return "<input type=\"hidden\" name=\"" + esc(name) + "\" value=\"" + esc(value) + "\">";
    }

    /** A simple error or notice page body. */
    static String message(String heading, String text) {
        return "<section class=\"msg\"><h1 id=\"heading\">" + esc(heading) + "</h1><p id=\"message\">" + esc(text)
                + "</p><p><a href=\"/ui/\">back to the overview</a></p></section>";
    }
}
