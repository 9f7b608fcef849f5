package io.ha.agent.http;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.ha.agent.metrics.ClusterTaskCounts;
import io.ha.agent.metrics.TaskActivity;
import io.ha.core.cluster.HaCluster;
import io.ha.core.membership.AgentInfo;
import io.ha.core.schedule.ScheduleInfo;
import io.ha.core.schedule.ScheduleRecord;
import io.ha.core.session.ClusterEvent;
import io.ha.core.task.LimitUsage;
import io.ha.core.task.Worker;
import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@code /status} document: this agent (id, accepting or draining, capacity, labels), its session, the leader and
 * its epoch, the members, the cluster's task counts, schedules (with their next fire time) and limits (with their
 * usage), the tasks running here
 * with their progress, and the recent event timeline. Values that need ZooKeeper are read with a time bound: when ZooKeeper does not answer in time the
 * field holds {@code {"error": ...}} and the rest of the document is still served. Never contains secrets.
 */
public final class StatusReport implements Closeable {
    /** How many of the newest timeline events are shown. */
    public static final int EVENTS = 50;
    /** How many schedules are shown at most (by name); {@code schedulesTotal} gives the full number. */
    public static final int SCHEDULES = 100;
    private static final Duration READ_BOUND = Duration.ofSeconds(3);

    /** What the agent knows about itself beyond the cluster. */
    public record Self(String endpoint, boolean embeddedZooKeeper, boolean draining, String drainState) {
    }

    private final ClusterTaskCounts counts;
    private final TaskActivity activity;
    private final ExecutorService readers = Executors.newCachedThreadPool(
            new ThreadFactoryBuilder().setNameFormat("ha-status-read-%d").setDaemon(true).build());

    public StatusReport(ClusterTaskCounts counts, TaskActivity activity) {
        this.counts = counts;
        this.activity = activity;
    }

    /** The document for a started cluster member. */
    public Map<String, Object> build(HaCluster cluster, Self self) {
        Map<String, Object> doc = new LinkedHashMap<>();
        AgentInfo info = cluster.registry().info();
        Worker worker = cluster.worker();
        Map<String, Object> agent = new LinkedHashMap<>();
        agent.put("id", info.id());
        agent.put("host", info.host());
        agent.put("pid", info.pid());
        agent.put("version", info.version());
        agent.put("startedAt", info.startedAt());
        agent.put("http", self.endpoint());
        agent.put("accepting", worker.isAccepting());
        agent.put("draining", self.draining());
        agent.put("drain", self.drainState());
        agent.put("capacity", info.capacity());
        agent.put("labels", info.labels());
        agent.put("types", info.types());
        doc.put("agent", agent);
        doc.put("cluster", cluster.clusterName());

        Map<String, Object> zk = new LinkedHashMap<>();
        zk.put("connect", cluster.connectString());
        zk.put("embedded", self.embeddedZooKeeper());
        zk.put("state", cluster.connectionGuard().state().name());
        zk.put("safe", cluster.connectionGuard().isSafe());
        zk.put("sessionId", "0x" + Long.toHexString(cluster.connectionGuard().sessionId()));
        doc.put("session", zk);

        Map<String, Object> leader = new LinkedHashMap<>();
        leader.put("self", cluster.leaderElection().isLeader());
        leader.put("id", bounded(() -> cluster.leaderElection().currentLeader().orElse(null)));
        leader.put("epoch", bounded(() -> cluster.leaderElection().currentEpoch()));
        doc.put("leader", leader);

        List<Map<String, Object>> members = new ArrayList<>();
        for (AgentInfo m : cluster.membership().list()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", m.id());
            row.put("host", m.host());
            row.put("pid", m.pid());
            row.put("http", m.http());
            row.put("accepting", m.accepting());
            row.put("capacity", m.capacity());
            row.put("labels", m.labels());
            row.put("types", m.types());
            members.add(row);
        }
        doc.put("members", members);
        doc.put("tasks", bounded(() -> counts.get(cluster.taskQueue())));
        // One read per schedule (no task reads): schedules are few, and the whole is under the same time bound.
        Object schedules = bounded(() -> schedules(cluster));
        if (schedules instanceof List<?> list) {
            doc.put("schedules", list.size() > SCHEDULES ? list.subList(0, SCHEDULES) : list);
            doc.put("schedulesTotal", list.size());
        } else {
            doc.put("schedules", schedules);
        }

        doc.put("limits", bounded(() -> limits(cluster)));

        Map<String, Integer> progress = worker.progress();
        List<Map<String, Object>> running = new ArrayList<>();
        for (TaskActivity.Running r : activity.running()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", r.taskId());
            row.put("type", r.type());
            row.put("attempt", r.attempt());
            row.put("startedAt", r.startedAt().toString());
            row.put("progress", progress.getOrDefault(r.taskId(), -1));
            running.add(row);
        }
        // Held but not (yet or any more) in a handler: claimed and queued for a thread, or being handed back.
        for (Map.Entry<String, Integer> e : progress.entrySet()) {
            if (running.stream().noneMatch(r -> r.get("id").equals(e.getKey()))) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", e.getKey());
                row.put("progress", e.getValue());
                running.add(row);
            }
        }
        doc.put("running", running);

        List<ClusterEvent> all = cluster.timeline().snapshot();
        List<Map<String, Object>> events = new ArrayList<>();
        for (ClusterEvent e : all.subList(Math.max(0, all.size() - EVENTS), all.size())) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("time", e.time().toString());
            row.put("kind", e.kind().name());
            if (e.token() >= 0) {
                row.put("token", e.token());
            }
            row.put("detail", e.detail());
            events.add(row);
        }
        doc.put("events", events);
        return doc;
    }

    private static List<Map<String, Object>> schedules(HaCluster cluster) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ScheduleInfo info : cluster.schedules().list()) {
            ScheduleRecord r = info.record();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", r.name());
            row.put("trigger", r.trigger().describe());
            row.put("taskType", r.template().type());
            row.put("enabled", r.enabled());
            row.put("paused", !r.enabled());
            row.put("nextFireTime", info.nextFireTime() == null ? null : info.nextFireTime().toString());
            row.put("lastTaskId", r.lastTaskId());
            row.put("firedTicks", r.firedTicks());
            row.put("skippedTicks", r.skippedTicks());
            out.add(row);
        }
        return out;
    }

    /** Each limited type with its limits and the tasks counting against them (read from the assignments). */
    private static List<Map<String, Object>> limits(HaCluster cluster) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        for (LimitUsage u : cluster.limits().usage()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("type", u.limit().type());
            row.put("maxRunning", u.limit().maxRunning());
            row.put("perKey", u.limit().perKey());
            row.put("rate", u.limit().rate());
            row.put("burst", u.limit().burst());
            row.put("running", u.running());
            row.put("runningByKey", u.runningByKey());
            out.add(row);
        }
        return out;
    }

    private Object bounded(Callable<Object> read) {
        Future<Object> f = readers.submit(read);
        try {
            return f.get(READ_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return Map.of("error", "ZooKeeper did not answer within " + READ_BOUND.toMillis() + " ms");
        } catch (ExecutionException e) {
            return Map.of("error", String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of("error", "interrupted");
        }
    }

    @Override
    public void close() {
        readers.shutdownNow();
    }
}
