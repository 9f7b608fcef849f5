package io.ha.agent.cli;

import io.ha.agent.view.Text;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table in the style of kubectl: an upper-case header row, left-aligned columns separated by at least
 * three spaces, no trailing blanks. Cells are made single-line and stripped of control characters, so data read
 * from ZooKeeper can neither break the layout nor send escape sequences to the terminal.
 */
final class Table {
    private static final String GAP = "   ";

    private final String[] header;
    private final List<String[]> rows = new ArrayList<>();
    private final int[] maxWidth;

    Table(String... header) {
        this.header = header.clone();
        this.maxWidth = new int[header.length];
        Arrays.fill(maxWidth, Integer.MAX_VALUE);
    }

    /** Cuts cells of column {@code column} longer than {@code width} characters, ending them with "...". */
    Table limit(int column, int width) {
        maxWidth[column] = Math.max(4, width);
        return this;
    }

    Table row(Object... cells) {
        if (cells.length != header.length) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, header " + header.length);
        }
        String[] row = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            String text = Text.oneLine(cells[i] == null ? "-" : String.valueOf(cells[i]));
            row[i] = text.length() > maxWidth[i] ? text.substring(0, maxWidth[i] - 3) + "..." : text;
        }
        rows.add(row);
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    void print(PrintWriter out) {
        print(out, "");
    }

    /** Prints every line with {@code indent} in front. */
    void print(PrintWriter out, String indent) {
        for (String line : lines()) {
            out.println(indent + line);
        }
    }

    List<String> lines() {
        int[] width = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            width[i] = header[i].length();
            for (String[] row : rows) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        List<String> lines = new ArrayList<>();
        lines.add(format(header, width));
        for (String[] row : rows) {
            lines.add(format(row, width));
        }
        return lines;
    }

    private static String format(String[] cells, int[] width) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            sb.append(cells[i]);
            if (i < cells.length - 1) {
                sb.append(" ".repeat(width[i] - cells[i].length())).append(GAP);
            }
        }
        return sb.toString().stripTrailing();
    }
}
