package io.ha.core.task;

import java.util.List;

/**
 * What {@link TaskQueue#submitGroup(GroupSpec)} stored: the group's id and its members' task ids, in the order of
 * the members given. The join task has no id yet: it is created with the outcome that ends the last member (read it
 * with {@link TaskQueue#group}).
 */
public record GroupSubmission(String groupId, List<String> memberIds) {
    public GroupSubmission {
        memberIds = List.copyOf(memberIds);
    }
}
