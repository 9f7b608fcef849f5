package io.ha.core.task.store;

import io.ha.core.CorruptDataException;
import io.ha.core.internal.AsyncReads;
import io.ha.core.internal.Json;
import io.ha.core.internal.ZPaths;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * What {@code /assigned} holds now: the agents' directories and every assignment with the type and concurrency key
 * it records, read with pipelined reads (one round trip per level: directories, assignments). The dispatcher counts
 * usage against the limits from it when its term begins; readers show usage from it.
 *
 * <p>Guarantees: every assignment that existed throughout the read is listed; a read that fails for any reason but
 * a node that vanished meanwhile fails the whole listing (a count must not silently miss tasks). Not guaranteed: a
 * snapshot; assignments created or deleted during the read may or may not be listed.
 */
public final class AssignedTasks {
    /** One assignment: its agent, task, and the type and key it records (null in assignments of older versions). */
    public record Entry(String agent, String taskId, String type, String concurrencyKey) {
    }

    /** The agents with a directory under {@code /assigned}, and the assignments in them. */
    public record Listing(List<String> agents, List<Entry> tasks) {
    }

    private AssignedTasks() {
    }

    public static Listing read(CuratorFramework client, ZPaths paths, long timeoutMs) throws Exception {
        List<String> agents;
        try {
            agents = client.getChildren().forPath(paths.assigned());
        } catch (KeeperException.NoNodeException e) {
            return new Listing(List.of(), List.of());
        }
        List<AsyncReads.Result> dirs = AsyncReads.children(client, agents.stream().map(paths::assignedDir).toList(),
                timeoutMs);
        List<String> owners = new ArrayList<>();
        List<String> taskIds = new ArrayList<>();
        List<String> assignmentPaths = new ArrayList<>();
        List<String> listed = new ArrayList<>();
        for (int i = 0; i < agents.size(); i++) {
            AsyncReads.Result dir = dirs.get(i);
            if (dir.code() == KeeperException.Code.NONODE) {
                continue;
            }
            check(dir);
            listed.add(agents.get(i));
            for (String taskId : dir.children()) {
                owners.add(agents.get(i));
                taskIds.add(taskId);
                assignmentPaths.add(paths.assignment(agents.get(i), taskId));
            }
        }
        List<AsyncReads.Result> data = AsyncReads.getData(client, assignmentPaths, timeoutMs);
        List<Entry> tasks = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            AsyncReads.Result read = data.get(i);
            if (read.code() == KeeperException.Code.NONODE) {
                continue; // its outcome was recorded meanwhile: it no longer counts
            }
            check(read);
            Assignment assignment;
            try {
                assignment = Json.read(read.path(), read.data(), Assignment.class);
            } catch (CorruptDataException e) {
                // The agent that holds it refuses it and the task goes DEAD; until then it counts under no type.
                assignment = new Assignment(taskIds.get(i), owners.get(i), 0, 0, 0, -1, null);
            }
            tasks.add(new Entry(owners.get(i), taskIds.get(i), assignment.type(), assignment.concurrencyKey()));
        }
        return new Listing(listed, tasks);
    }

    private static void check(AsyncReads.Result read) throws KeeperException {
        if (!read.ok()) {
            throw KeeperException.create(read.code(), read.path());
        }
    }
}
