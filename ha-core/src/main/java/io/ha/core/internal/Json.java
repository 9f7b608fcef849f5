package io.ha.core.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.ha.core.CorruptDataException;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The one JSON codec for everything stored in ZooKeeper. Unknown fields are ignored so newer agents can add some. */
public final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Json() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /**
     * @return the value, never null
     * @throws CorruptDataException naming the path when the bytes are not a valid encoding of {@code type}
     */
    public static <T> T read(String path, byte[] data, Class<T> type) {
        if (data == null || data.length == 0) {
            throw new CorruptDataException(path, "no data");
        }
        T value;
        try {
            value = MAPPER.readValue(data, type);
        } catch (IOException | RuntimeException e) {
            throw new CorruptDataException(path, e.getMessage());
        }
        if (value == null) {
            // Jackson reads the JSON literal null as no value at all; no writer stores one.
            throw new CorruptDataException(path, "JSON null instead of " + type.getSimpleName());
        }
        return value;
    }
}
