package io.ha.core.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.base.Preconditions;
import io.ha.core.CorruptDataException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** JSON payloads through ha-core's codec, without a server. */
class TaskPayloadsTest {
    record Resize(String src, List<Integer> sizes) {
        Resize {
            Preconditions.checkArgument(src != null && !src.isBlank(), "src must not be blank");
        }
    }

    @Test
    void roundTripsAndIgnoresFieldsItDoesNotKnow() {
        Resize resize = new Resize("s3://bucket/cat.png", List.of(64, 128));
        assertThat(TaskPayloads.fromJson("payload", TaskPayloads.toJson(resize), Resize.class)).isEqualTo(resize);

        byte[] newer = "{\"src\":\"a.png\",\"sizes\":[1],\"quality\":90}".getBytes(StandardCharsets.UTF_8);
        assertThat(TaskPayloads.fromJson("payload", newer, Resize.class)).isEqualTo(new Resize("a.png", List.of(1)));
    }

    @Test
    void everyBadPayloadIsCorruptDataNamingWhatWasRead() {
        for (String bad : new String[] {"", "not json", "{\"sizes\":[1]}", "{\"src\":\"a\",\"sizes\":\"x\"}"}) {
            assertThatThrownBy(() -> TaskPayloads.fromJson("payload of task t-1",
                    bad.getBytes(StandardCharsets.UTF_8), Resize.class))
                    .isInstanceOf(CorruptDataException.class)
                    .hasMessageContaining("payload of task t-1");
        }
        assertThatThrownBy(() -> TaskPayloads.fromJson("payload of task t-2", null, Resize.class))
                .isInstanceOf(CorruptDataException.class).hasMessageContaining("payload of task t-2");
    }
}
