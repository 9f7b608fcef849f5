package io.ha.agent.cli;

import io.ha.agent.view.Text;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * ha-ctl's file options ({@code --auth-file FILE}): a text the platform cannot take as a path (a NUL character, a
 * character the file-name encoding cannot hold) is a usage error quoting the text and saying why. Picocli's own
 * conversion named the Java types instead ("cannot convert ... to interface java.nio.file.Path
 * (java.nio.file.InvalidPathException: ...)"). Whether the file exists is for the command to find out.
 */
final class PathConverter implements CommandLine.ITypeConverter<Path> {
    @Override
    public Path convert(String value) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new CommandLine.TypeConversionException("'" + Text.oneLine(value) + "' is not a file path ("
                    + e.getReason() + ")");
        }
    }
}
