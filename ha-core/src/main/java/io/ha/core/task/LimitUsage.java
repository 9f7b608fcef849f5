package io.ha.core.task;

import java.util.Map;

/**
 * One type's limits with what counts against them when read: the tasks of the type whose assignments exist
 * (assigned or running), in all and per concurrency key. Immutable.
 *
 * @param limit        the limits as stored
 * @param running      tasks of the type assigned or running now
 * @param runningByKey the same per concurrency key, keys with none left out
 */
public record LimitUsage(TypeLimit limit, int running, Map<String, Integer> runningByKey) {
    public LimitUsage {
        runningByKey = Map.copyOf(runningByKey);
    }
}
