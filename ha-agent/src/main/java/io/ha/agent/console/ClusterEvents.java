package io.ha.agent.console;

import io.ha.core.membership.AgentInfo;
import io.ha.core.session.ClusterEvent;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The cluster's recent events for the overview: this process's own timeline merged with the events of every other
 * agent's {@code /status}, read in parallel ({@link StatusFetch}), each within {@link #TIMEOUT}. The same event seen
 * by several agents at about the same time (an agent joining or leaving) is one row naming all of them.
 *
 * <p>Guarantees: the other agents' part is read at most once per {@link #CACHE_FOR} however many pages ask, and by
 * one request at a time; an agent that cannot be read is named with the reason, never an error page. Not guaranteed:
 * completeness (timelines are in memory and bounded, a gone agent's events are gone with it), or an order across
 * hosts whose clocks disagree.
 */
final class ClusterEvents {
    static final Duration TIMEOUT = Duration.ofMillis(500);
    static final Duration CACHE_FOR = Duration.ofSeconds(1);
    /** Rows of the same kind and detail within this window are one event seen by several agents. */
    private static final long SAME_EVENT_MS = 5_000;

    /** One row: when, which agents recorded it, what. */
    record Row(long timeMs, List<String> agents, String kind, long token, String detail) {
    }

    /**
     * The merged rows (newest first), the agents that could not be read (with why), and those that publish no HTTP
     * endpoint (members embedded in an application, not agents): nothing to read there, and nothing wrong.
     */
    record View(List<Row> rows, Map<String, String> unreached, List<String> withoutEndpoint, int agentsRead) {
    }

    private record Remote(long atNanos, Map<String, List<StatusFetch.Event>> events, Map<String, String> unreached,
                          List<String> withoutEndpoint) {
    }

    private final Object refreshing = new Object();
    /** Made on the first overview (guarded by {@code refreshing}): an agent whose console is never opened has none. */
    private StatusFetch fetch;
    private volatile Remote remote;

    /**
     * @param self   this process's agent id (its events come from {@code own}, its {@code /status} is not read)
     * @param agents the live agents, from the membership view
     * @param shown  the most rows returned
     */
    View view(String self, List<ClusterEvent> own, List<AgentInfo> agents, int shown) {
        Remote r = remote(self, agents);
        List<Source> all = new ArrayList<>();
        for (ClusterEvent e : own.subList(Math.max(0, own.size() - StatusFetch.MAX_EVENTS), own.size())) {
            all.add(new Source(e.time().toEpochMilli(), self, e.kind().name(), e.token(), e.detail()));
        }
        r.events.forEach((agent, events) -> events.forEach(e -> all.add(
                new Source(e.time().toEpochMilli(), agent, e.kind(), e.token(), e.detail()))));
        return new View(merge(all, shown), r.unreached, r.withoutEndpoint, r.events.size());
    }

    private record Source(long timeMs, String agent, String kind, long token, String detail) {
    }

    private static List<Row> merge(List<Source> all, int shown) {
        all.sort(Comparator.comparingLong(Source::timeMs).reversed());
        List<Row> rows = new ArrayList<>();
        List<Set<String>> agents = new ArrayList<>();
        Map<String, Integer> lastRowOf = new HashMap<>();
        for (Source s : all) {
            String key = s.kind + '\n' + s.token + '\n' + s.detail;
            Integer i = lastRowOf.get(key);
            if (i != null && rows.get(i).timeMs() - s.timeMs <= SAME_EVENT_MS) {
                agents.get(i).add(s.agent);
                continue;
            }
            if (rows.size() == shown) {
                break;
            }
            lastRowOf.put(key, rows.size());
            rows.add(new Row(s.timeMs, List.of(), s.kind, s.token, s.detail));
            agents.add(new LinkedHashSet<>(List.of(s.agent)));
        }
        List<Row> out = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            out.add(new Row(row.timeMs(), List.copyOf(agents.get(i)), row.kind(), row.token(), row.detail()));
        }
        return out;
    }

    private Remote remote(String self, List<AgentInfo> agents) {
        Remote r = remote;
        if (fresh(r)) {
            return r;
        }
        // One refresh at a time: the pages that arrive meanwhile wait for it and take its result.
        synchronized (refreshing) {
            r = remote;
            if (!fresh(r)) {
                if (fetch == null) {
                    fetch = new StatusFetch(TIMEOUT);
                }
                r = read(self, agents);
                remote = r;
            }
            return r;
        }
    }

    private static boolean fresh(Remote r) {
        return r != null && System.nanoTime() - r.atNanos < CACHE_FOR.toNanos();
    }

    private Remote read(String self, List<AgentInfo> agents) {
        Map<String, String> unreached = new LinkedHashMap<>();
        List<String> withoutEndpoint = new ArrayList<>();
        Map<String, CompletableFuture<List<StatusFetch.Event>>> pending = new LinkedHashMap<>();
        for (AgentInfo a : agents) {
            if (a.id().equals(self)) {
                continue;
            }
            if (a.http() == null || a.http().isBlank()) {
                withoutEndpoint.add(a.id());
                continue;
            }
            try {
                URI uri = StatusFetch.statusUri(a.http());
                pending.put(a.id(), fetch.events(uri));
            } catch (StatusFetch.Unreached e) {
                unreached.put(a.id(), e.getMessage());
            }
        }
        // One deadline for all: they were started together, so the slowest costs TIMEOUT, not the sum.
        long deadline = System.nanoTime() + TIMEOUT.toNanos() + TimeUnit.MILLISECONDS.toNanos(100);
        Map<String, List<StatusFetch.Event>> events = new LinkedHashMap<>();
        for (Map.Entry<String, CompletableFuture<List<StatusFetch.Event>>> e : pending.entrySet()) {
            try {
                events.put(e.getKey(), e.getValue().get(Math.max(0, deadline - System.nanoTime()),
                        TimeUnit.NANOSECONDS));
            } catch (TimeoutException | ExecutionException ex) {
                e.getValue().cancel(true);
                unreached.put(e.getKey(), fetch.reason(ex));
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                pending.values().forEach(f -> f.cancel(true));
                unreached.put(e.getKey(), "interrupted");
                break;
            }
        }
        return new Remote(System.nanoTime(), Map.copyOf(events), Collections.unmodifiableMap(unreached),
                List.copyOf(withoutEndpoint));
    }
}
