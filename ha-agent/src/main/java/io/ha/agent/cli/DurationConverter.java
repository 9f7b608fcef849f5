package io.ha.agent.cli;

import io.ha.agent.config.Durations;
import java.time.Duration;
import picocli.CommandLine;

/**
 * ha-ctl's duration options ({@code --timeout 1m30s}) in HA's one grammar ({@link Durations}); a bare number is
 * refused except {@code 0}. The message of a refusal quotes the text; picocli adds the option's name ("Invalid value
 * for option '--timeout': ...") and the one-line usage hint.
 */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            return Durations.parse(null, value, Durations.BareNumber.ZERO_ONLY);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
