package io.ha.samples.watchdog;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * What the watchdog sample's service changes in the world (the stand-in for its database): an append-only file in the
 * run's private directory, one line {@code <epoch> <copy> <n>} per piece of work done by the active copy. Every copy
 * appends to the same file, so the file's order is the order in which the copies really acted.
 *
 * <p>Guarantee: each entry is one small {@code write} to a file opened for appending, so entries of two processes
 * never mix within a line. Not guaranteed: that the last entry of a process killed while writing is complete; a
 * malformed line is reported by {@link #read()}, not skipped.
 */
final class Journal {
    /** One piece of work: done by {@code copy} while it was active in {@code epoch}, its {@code n}-th of that term. */
    record Entry(long epoch, String copy, int n) {
    }

    private final Path file;

    Journal(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    void append(long epoch, String copy, int n) throws IOException {
        Files.write(file, (epoch + " " + copy + " " + n + "\n").getBytes(UTF_8), StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    /** Every entry so far, in the order they were written (empty before the first). */
    List<Entry> read() throws IOException {
        List<Entry> entries = new ArrayList<>();
        if (!Files.exists(file)) {
            return entries;
        }
        for (String line : Files.readAllLines(file, UTF_8)) {
            String[] f = line.split(" ");
            if (f.length != 3) {
                throw new IOException("malformed journal line '" + line + "' in " + file);
            }
            entries.add(new Entry(Long.parseLong(f[0]), f[1], Integer.parseInt(f[2])));
        }
        return entries;
    }
}
