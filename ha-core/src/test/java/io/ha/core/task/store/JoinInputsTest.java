package io.ha.core.task.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ha.core.CorruptDataException;
import io.ha.core.task.JoinInput;
import io.ha.core.task.TaskQueue;
import io.ha.core.task.TaskState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The join input's form: results when they fit, else ids and states, else counts; and its decoding. */
class JoinInputsTest {
    private static final int LIMIT = TaskQueue.DEFAULT_MAX_PAYLOAD;

    private static List<GroupShard.Entry> entries(int n) {
        List<GroupShard.Entry> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TaskState state = i % 10 == 3 ? TaskState.FAILED : TaskState.SUCCEEDED;
            String id = TaskIds.newId(1_700_000_000_000L + i);
            out.add(new GroupShard.Entry(id, state, id, state == TaskState.FAILED ? "boom " + i : null,
                    state == TaskState.SUCCEEDED ? 100 : null));
        }
        return out;
    }

    private static List<JoinInput.Member> withResults(List<GroupShard.Entry> entries, int resultBytes) {
        List<JoinInput.Member> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            GroupShard.Entry e = entries.get(i);
            out.add(new JoinInput.Member(i, e.id(), e.state(), e.endedBy(),
                    e.state() == TaskState.SUCCEEDED ? new byte[resultBytes] : null, e.error()));
        }
        return out;
    }

    @Test
    void smallResultsAreCarriedInFull() {
        List<GroupShard.Entry> entries = entries(20);
        assertThat(JoinInputs.resultsFit(entries, 20 * 100, LIMIT)).isTrue();

        JoinInput in = JoinInput.decode("test", JoinInputs.encode("g", entries, withResults(entries, 100), LIMIT));

        assertThat(in.form()).isEqualTo(JoinInput.Form.RESULTS);
        assertThat(in.members()).hasSize(20);
        assertThat(in.members().get(0).result()).hasSize(100);
        assertThat(in.members().get(3).state()).isEqualTo(TaskState.FAILED);
        assertThat(in.members().get(3).error()).isEqualTo("boom 3");
        assertThat(in.counts()).containsEntry(TaskState.FAILED, 2).containsEntry(TaskState.SUCCEEDED, 18);
    }

    @Test
    void resultsOverThePayloadLimitFallBackToIdsAndStatesForTenThousandMembers() {
        List<GroupShard.Entry> entries = entries(10_000);
        assertThat(JoinInputs.resultsFit(entries, 10_000 * 100L, LIMIT)).isFalse();

        byte[] encoded = JoinInputs.encode("g", entries, null, LIMIT);
        JoinInput in = JoinInput.decode("test", encoded);

        assertThat(encoded.length).isLessThanOrEqualTo(JoinInputs.MAX_STATES_BYTES);
        assertThat(in.form()).isEqualTo(JoinInput.Form.STATES);
        assertThat(in.membersIncluded()).isTrue();
        assertThat(in.members()).extracting(JoinInput.Member::id)
                .containsExactlyElementsOf(entries.stream().map(GroupShard.Entry::id).toList());
        assertThat(in.members()).extracting(JoinInput.Member::state)
                .containsExactlyElementsOf(entries.stream().map(GroupShard.Entry::state).toList());
        assertThat(in.members()).allMatch(m -> m.result() == null);
    }

    @Test
    void readResultsThatTurnOutTooLargeAlsoFallBack() {
        List<GroupShard.Entry> entries = entries(50);
        JoinInput in = JoinInput.decode("test", JoinInputs.encode("g", entries, withResults(entries, 8_000), LIMIT));
        assertThat(in.form()).isEqualTo(JoinInput.Form.STATES);
    }

    @Test
    void tooManyMembersForIdsAndStatesLeaveCountsOnly() {
        List<GroupShard.Entry> entries = entries(20_000);
        JoinInput in = JoinInput.decode("test", JoinInputs.encode("g", entries, null, LIMIT));
        assertThat(in.form()).isEqualTo(JoinInput.Form.COUNTS);
        assertThat(in.membersIncluded()).isFalse();
        assertThat(in.size()).isEqualTo(20_000);
        assertThat(in.counts()).containsEntry(TaskState.FAILED, 2_000);
    }

    @Test
    void anInputThatIsNoJoinInputIsCorruptDataNamingWhatWasRead() {
        assertThatThrownBy(() -> JoinInput.decode("join input of task t", "{\"x\":1}"
                .getBytes(StandardCharsets.UTF_8))).isInstanceOf(CorruptDataException.class)
                .hasMessageContaining("join input of task t");
        assertThatThrownBy(() -> JoinInput.decode("join input of task t", null))
                .isInstanceOf(CorruptDataException.class);
    }
}
