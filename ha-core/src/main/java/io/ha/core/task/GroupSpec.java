package io.ha.core.task;

import com.google.common.base.Preconditions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A fan-in group: members that run anywhere, and one join task created when all of them have ended, with their ids,
 * states and results as its {@link TaskContext#input()} (decode it with {@link JoinInput#of}). Immutable; build
 * with {@link #builder()} or {@link #of}.
 *
 * <p>Policy: by default the join runs when every member has ended, whatever the outcome (failed members are listed
 * in its input). With {@link Builder#joinOnlySucceeded}, the join runs only when every member SUCCEEDED; otherwise
 * the {@code onFailure} task runs instead (same input), or nothing when none is given.
 *
 * @param members           the members, at least one; each may be a chain ({@code then}/{@code onFailure} steps),
 *                          but not one that fans out (more than one follow-up for one outcome)
 * @param join              the join task; its own follow-ups run as usual
 * @param joinOnlySucceeded create the join only if every member succeeded
 * @param onFailure         with {@code joinOnlySucceeded}: the task created instead of the join, or null for none
 */
public record GroupSpec(List<TaskSpec> members, TaskSpec join, boolean joinOnlySucceeded, TaskSpec onFailure) {
    /** Most members one group may have. */
    public static final int MAX_MEMBERS = 100_000;

    public GroupSpec {
        Objects.requireNonNull(members, "group members");
        Objects.requireNonNull(join, "group join task");
        members = List.copyOf(members);
        Preconditions.checkArgument(!members.isEmpty(), "a task group needs at least one member");
        Preconditions.checkArgument(members.size() <= MAX_MEMBERS, "a task group may have at most %s members, got %s",
                MAX_MEMBERS, members.size());
        Preconditions.checkArgument(joinOnlySucceeded || onFailure == null,
                "a group's onFailure task needs joinOnlySucceeded");
    }

    /** The default policy: {@code join} runs once every member has ended, however it ended. */
    public static GroupSpec of(List<TaskSpec> members, TaskSpec join) {
        return new GroupSpec(members, join, false, null);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder of {@link GroupSpec}. */
    public static final class Builder {
        private final List<TaskSpec> members = new ArrayList<>();
        private TaskSpec join;
        private boolean joinOnlySucceeded;
        private TaskSpec onFailure;

        private Builder() {
        }

        public Builder member(TaskSpec member) {
            members.add(Objects.requireNonNull(member, "group member"));
            return this;
        }

        public Builder members(List<TaskSpec> more) {
            more.forEach(this::member);
            return this;
        }

        public Builder join(TaskSpec join) {
            this.join = join;
            return this;
        }

        /** Run the join only if every member SUCCEEDED; otherwise run {@code onFailure} (null: nothing). */
        public Builder joinOnlySucceeded(TaskSpec onFailure) {
            this.joinOnlySucceeded = true;
            this.onFailure = onFailure;
            return this;
        }

        public GroupSpec build() {
            return new GroupSpec(members, join, joinOnlySucceeded, onFailure);
        }
    }
}
