package io.ha.core.task;

/**
 * One member of a group as its group records it: the member's own task id and, once its chain has ended, the state
 * it ended in and the task whose outcome ended it (the member itself, or the last step of its {@code then} chain).
 *
 * @param index   the member's position in the group, from 0
 * @param id      the member's (first) task id
 * @param state   the terminal state of the member's chain, or null while it has not ended
 * @param endedBy the task whose outcome ended the chain, or null while it has not ended
 * @param error   the error it ended with (shortened), or null
 */
public record GroupMember(int index, String id, TaskState state, String endedBy, String error) {
    /** Whether the member's chain has ended. */
    public boolean ended() {
        return state != null;
    }
}
