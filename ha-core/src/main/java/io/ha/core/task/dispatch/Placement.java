package io.ha.core.task.dispatch;

import java.util.Set;

/**
 * What the leader needs to know of a task to place it and to count it against the limits: its type (from the
 * pointer's name), and its concurrency key and required labels (from its record, read once, only for tasks whose
 * pointer says it has some). Immutable.
 *
 * @param type   the task's type, or null for a pointer or assignment of a version that did not record it (no limit
 *               counts it)
 * @param key    the concurrency key, or null
 * @param labels the labels an agent must carry
 */
record Placement(String type, String key, Set<String> labels) {
    static final Placement UNKNOWN = new Placement(null, null, Set.of());

    Placement {
        labels = labels == null ? Set.of() : labels;
    }
}
