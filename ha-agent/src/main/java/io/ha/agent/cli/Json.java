package io.ha.agent.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * ha-ctl's JSON output: {@link Views} records, indented two spaces per level with {@code "key": value} as jq and
 * kubectl print them, fields in the order the records declare, maps in insertion order (task states in life-cycle
 * order), a line feed at the end. {@link #line} gives the compact form for streams (one document per line).
 */
final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();
    private static final ObjectWriter PRETTY = MAPPER.writer(new Printer());

    private Json() {
    }

    static void print(PrintWriter out, Object value) {
        try {
            out.print(PRETTY.writeValueAsString(value));
            out.print('\n');
            out.flush();
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    static String line(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** Jackson's pretty printer with jq's spacing: {@code "key": value}, and {@code []} / {@code {}} when empty. */
    private static final class Printer extends DefaultPrettyPrinter {
        private static final long serialVersionUID = 1L;

        Printer() {
            super(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));
            indentArraysWith(new DefaultIndenter("  ", "\n"));
            indentObjectsWith(new DefaultIndenter("  ", "\n"));
        }

        private Printer(Printer base) {
            super(base);
        }

        @Override
        public Printer createInstance() {
            return new Printer(this);
        }

        @Override
        public void writeEndArray(JsonGenerator g, int nrOfValues) throws IOException {
            if (nrOfValues > 0) {
                super.writeEndArray(g, nrOfValues);
                return;
            }
            if (!_arrayIndenter.isInline()) {
                --_nesting;
            }
            g.writeRaw(']');
        }

        @Override
        public void writeEndObject(JsonGenerator g, int nrOfEntries) throws IOException {
            if (nrOfEntries > 0) {
                super.writeEndObject(g, nrOfEntries);
                return;
            }
            if (!_objectIndenter.isInline()) {
                --_nesting;
            }
            g.writeRaw('}');
        }
    }
}
