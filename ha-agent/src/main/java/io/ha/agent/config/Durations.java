package io.ha.agent.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one grammar for durations, wherever an operator types one: the configuration ({@code session.timeout=15 s}),
 * ha-ctl's options ({@code --timeout 1m30s}) and the supervisor's ({@code --stop-timeout 2m}). A duration is one or
 * more parts, each a number and a unit ({@code ms}, {@code s}, {@code m}, {@code h}, {@code d}), optionally with
 * spaces between them: {@code 500ms}, {@code 15s}, {@code 15 s}, {@code 1m30s}, {@code 1h 30m}, {@code 2h},
 * {@code 1.5s}. Case does not matter. A number has at most 12 digits, and a fraction is rounded to the millisecond.
 *
 * <p>A bare number is ambiguous ("30": seconds? milliseconds?), and a wrong guess turns a timeout into a hang; each
 * caller says what it means ({@link BareNumber}): the configuration refuses it, ha-ctl takes only {@code 0}, the
 * supervisor takes seconds, as each did before the grammars were one.
 *
 * <p>Guarantee: every refusal is an {@link IllegalArgumentException} whose message names the key (when given) and
 * quotes the text. Not guaranteed: any bound on the value beyond {@link Duration}'s own; the callers check their
 * ranges.
 */
public final class Durations {
    /** What {@link #parse} accepts, for error messages. */
    public static final String ALLOWED = "expected a number with a unit: ms, s, m, h or d (such as 500ms, 15s, "
            + "15 s, 1m30s or 2h)";
    private static final String NUMBER = "(\\d{1,12}(?:\\.\\d{1,9})?)";
    private static final Pattern PART = Pattern.compile(NUMBER + "\\s*(ms|s|m|h|d)");
    private static final Pattern WHOLE = Pattern.compile("(?:" + NUMBER + "\\s*(?:ms|s|m|h|d)\\s*)+");
    private static final Pattern BARE = Pattern.compile(NUMBER);

    /** What a number without a unit means to a caller. */
    public enum BareNumber {
        /** Refused: every duration needs a unit (the configuration). */
        REJECTED,
        /** Only {@code 0}, which means the same in every unit (ha-ctl's options). */
        ZERO_ONLY,
        /** A number of seconds, fractions allowed (the supervisor's options, as in {@code --stop-timeout 120}). */
        SECONDS
    }

    private Durations() {
    }

    /**
     * Parses {@code text}; a bare number is refused.
     *
     * @param key names the setting in the error message ({@code session.timeout}, {@code --stop-timeout}); null when
     *            the caller names it itself
     * @throws IllegalArgumentException naming the key and the text when it is not a duration
     */
    public static Duration parse(String key, String text) {
        return parse(key, text, BareNumber.REJECTED);
    }

    /**
     * Parses {@code text}, a bare number as {@code bare} says.
     *
     * @throws IllegalArgumentException naming the key and the text when it is not a duration
     */
    public static Duration parse(String key, String text, BareNumber bare) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (BARE.matcher(t).matches()) {
            if (bare == BareNumber.SECONDS) {
                return part(key, text, t, "s");
            }
            if (bare == BareNumber.ZERO_ONLY && t.equals("0")) {
                return Duration.ZERO;
            }
            throw invalid(key, text, ALLOWED);
        }
        if (!WHOLE.matcher(t).matches()) {
            throw invalid(key, text, ALLOWED);
        }
        Duration total = Duration.ZERO;
        Matcher m = PART.matcher(t);
        try {
            while (m.find()) {
                total = total.plus(part(key, text, m.group(1), m.group(2)));
            }
        } catch (ArithmeticException e) {
            throw invalid(key, text, "too long");
        }
        return total;
    }

    private static Duration part(String key, String text, String number, String unit) {
        ChronoUnit u = switch (unit) {
            case "ms" -> ChronoUnit.MILLIS;
            case "s" -> ChronoUnit.SECONDS;
            case "m" -> ChronoUnit.MINUTES;
            case "h" -> ChronoUnit.HOURS;
            default -> ChronoUnit.DAYS;
        };
        try {
            if (number.indexOf('.') < 0) {
                return Duration.of(Long.parseLong(number), u);
            }
            BigDecimal millis = new BigDecimal(number).multiply(BigDecimal.valueOf(u.getDuration().toMillis()));
            return Duration.ofMillis(millis.setScale(0, RoundingMode.HALF_UP).longValueExact());
        } catch (ArithmeticException e) {
            throw invalid(key, text, "too long");
        }
    }

    private static IllegalArgumentException invalid(String key, String text, String why) {
        return new IllegalArgumentException((key == null ? "" : key + ": ") + "invalid duration '" + text + "': "
                + why);
    }

    /** The shortest exact form in the same notation: {@code 15s}, {@code 1500ms}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms != 0 && ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms != 0 && ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
