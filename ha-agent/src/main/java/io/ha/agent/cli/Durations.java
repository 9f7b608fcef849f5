package io.ha.agent.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Durations as operators type them: whole numbers with a unit, {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h},
 * {@code 2d}, also combined ({@code 1m30s}); the agent's configuration accepts the single-unit forms. A bare number
 * is refused: "30" could mean seconds or milliseconds, and a wrong guess turns a timeout into a hang.
 */
final class Durations {
    private static final Pattern WHOLE = Pattern.compile("(?:\\d{1,12}(?:ms|s|m|h|d))+");
    private static final Pattern PART = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");

    private Durations() {
    }

    /** @throws IllegalArgumentException naming the text and the accepted forms */
    static Duration parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        if (!WHOLE.matcher(t).matches()) {
            throw new IllegalArgumentException("invalid duration '" + text
                    + "': expected a whole number with a unit (ms, s, m, h, d), such as 500ms, 30s, 5m or 1h30m");
        }
        Duration total = Duration.ZERO;
        Matcher m = PART.matcher(t);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
        }
        return total;
    }

    /**
     * A short human form, exact below a minute and rounded down above: {@code 250ms}, {@code 1.5s}, {@code 42s},
     * {@code 3m12s}, {@code 2h5m}, {@code 3d4h}.
     */
    static String format(Duration d) {
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

    /** Picocli converter; its message ends up in the one-line usage error. */
    static final class Converter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
