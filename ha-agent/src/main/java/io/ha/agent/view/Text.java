package io.ha.agent.view;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Text helpers for ha-ctl's output: printable-bytes detection, single-line cells, times and durations in both output
 * forms.
 */
public final class Text {
    /** ISO-8601 UTC with milliseconds always present, so --json timestamps have one fixed shape. */
    private static final DateTimeFormatter JSON_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter HUMAN_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private Text() {
    }

    /**
     * The bytes as text when they are valid UTF-8 without control characters other than tab and line breaks;
     * empty when they are binary (or would drive the terminal, as escape sequences do).
     */
    public static Optional<String> printable(byte[] bytes) {
        if (bytes == null) {
            return Optional.empty();
        }
        CharBuffer chars;
        try {
            chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
        String text = chars.toString();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t') || c == '\u2028' || c == '\u2029') {
                return Optional.empty();
            }
        }
        return Optional.of(text);
    }

    /** One line: line breaks shown as {@code \n}, other control characters as {@code ?}. */
    public static String oneLine(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append(' ');
            } else if (Character.isISOControl(c)) {
                sb.append('?');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Printable multi-line text: control characters other than line breaks and tabs shown as {@code ?}. */
    public static String clean(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(Character.isISOControl(c) && c != '\n' && c != '\t' ? '?' : c);
        }
        return sb.toString();
    }

    public static String jsonTime(long epochMillis) {
        return epochMillis <= 0 ? null : JSON_TIME.format(Instant.ofEpochMilli(epochMillis));
    }

    /** Local time, as operators read logs. */
    public static String humanTime(long epochMillis) {
        return epochMillis <= 0 ? "-" : HUMAN_TIME.format(Instant.ofEpochMilli(epochMillis));
    }

    /** Local time and how long ago (or from now): {@code 2025-06-01 12:00:00 (5s ago)}. */
    public static String humanTimeAndAge(long epochMillis, long now) {
        if (epochMillis <= 0) {
            return "-";
        }
        long delta = now - epochMillis;
        String rel = delta >= 0 ? Text.duration(Duration.ofMillis(delta)) + " ago"
                : "in " + Text.duration(Duration.ofMillis(-delta));
        return humanTime(epochMillis) + " (" + rel + ")";
    }

    /** Time since {@code epochMillis}, kubectl's AGE column. */
    public static String age(long epochMillis, long now) {
        return epochMillis <= 0 ? "-" : Text.duration(Duration.ofMillis(Math.max(0, now - epochMillis)));
    }

    /** Comma-separated in sorted order (sets from ZooKeeper records have no stable order of their own). */
    public static String list(Collection<String> items) {
        return items == null || items.isEmpty() ? "-" : String.join(",", sorted(items));
    }

    public static List<String> sorted(Collection<String> items) {
        return items == null ? List.of() : items.stream().sorted().toList();
    }

    public static String orDash(Object o) {
        return o == null || o.toString().isEmpty() ? "-" : o.toString();
    }

    /**
     * A duration in a short human form, exact below a minute and rounded down above: {@code 250ms}, {@code 1.5s},
     * {@code 42s}, {@code 3m12s}, {@code 2h5m}, {@code 3d4h}. For reading, not for parsing back (that is
     * {@link io.ha.agent.config.Durations#format}).
     */
    public static String duration(Duration d) {
        long ms = Math.max(0, d.toMillis());
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms < 60_000) {
            long tenths = ms / 100;
            return tenths % 10 == 0 ? (tenths / 10) + "s" : (tenths / 10) + "." + (tenths % 10) + "s";
        }
        long s = ms / 1000;
        if (s < 3600) {
            return pair(s / 60, "m", s % 60, "s");
        }
        if (s < 86_400) {
            return pair(s / 3600, "h", (s % 3600) / 60, "m");
        }
        return pair(s / 86_400, "d", (s % 86_400) / 3600, "h");
    }

    private static String pair(long major, String majorUnit, long minor, String minorUnit) {
        return minor == 0 ? major + majorUnit : major + majorUnit + minor + minorUnit;
    }
}
