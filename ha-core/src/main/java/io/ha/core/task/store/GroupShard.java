package io.ha.core.task.store;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.ha.core.task.TaskState;
import java.util.ArrayList;
import java.util.List;

/**
 * One shard of a group ({@code /groups/<bucket>/<groupId>/s-<k>}, JSON): the members {@code k, k+S, k+2S, ...} in
 * index order and, for each that ended, its state, the task whose outcome ended it and a short error. Members
 * submitted (and so running) together fall in different shards, so their outcomes rarely contend for one node.
 */
public record GroupShard(int shard, List<Entry> members) {
    /** Longest error text kept per member. */
    static final int MAX_ERROR_CHARS = 300;

    /** A member: its id and, once ended, state, ending task and error; {@code resultBytes} sizes its result. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(String id, TaskState state, String endedBy, String error, Integer resultBytes) {
        @JsonIgnore
        public boolean ended() {
            return state != null;
        }
    }

    public GroupShard {
        members = List.copyOf(members);
    }

    /** The shard of {@code ids} (the member ids in index order) for shard {@code k} of {@code shards}. */
    static GroupShard initial(int k, int shards, List<String> ids) {
        List<Entry> entries = new ArrayList<>();
        for (int i = k; i < ids.size(); i += shards) {
            entries.add(new Entry(ids.get(i), null, null, null, null));
        }
        return new GroupShard(k, entries);
    }

    /** The same shard with the member at {@code position} ended. */
    GroupShard withEnded(int position, TaskState state, String endedBy, String error, int resultBytes) {
        List<Entry> next = new ArrayList<>(members);
        String shortError = error == null || error.length() <= MAX_ERROR_CHARS ? error
                : error.substring(0, MAX_ERROR_CHARS) + "...";
        next.set(position, new Entry(members.get(position).id(), state, endedBy, shortError,
                resultBytes > 0 ? resultBytes : null));
        return new GroupShard(shard, next);
    }

    @JsonIgnore
    boolean complete() {
        return members.stream().allMatch(Entry::ended);
    }
}
