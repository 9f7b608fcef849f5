package io.ha.core.task.dispatch;

import io.ha.core.task.store.PendingEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The leader's in-memory view of the pending pointers: ordered by priority then age, with delayed tasks kept apart
 * until they are due. Rebuilt from ZooKeeper at the start of every leadership term and kept current by watch
 * events; never the source of truth (a stale entry only costs a failed, fenced transaction).
 */
final class PendingIndex {
    private final TreeSet<PendingEntry> ready = new TreeSet<>(PendingEntry.ORDER);
    private final TreeSet<PendingEntry> delayed = new TreeSet<>((a, b) -> a.notBefore() != b.notBefore()
            ? Long.compare(a.notBefore(), b.notBefore()) : PendingEntry.ORDER.compare(a, b));
    private final Map<String, PendingEntry> byTask = new HashMap<>();
    /** Placement of tasks with attributes (labels, key), once read from their records (the others need none). */
    private final Map<String, Placement> attributes = new HashMap<>();

    void add(PendingEntry entry) {
        PendingEntry previous = byTask.put(entry.taskId(), entry);
        if (previous != null) {
            ready.remove(previous);
            delayed.remove(previous);
        }
        (entry.notBefore() > System.currentTimeMillis() ? delayed : ready).add(entry);
    }

    /**
     * Puts back the entry of a move that was not applied, unless the index already holds an entry for its task: one
     * that arrived while the move was in flight (the task's newer pointer, announced after a move of an older,
     * stale entry of it had already applied and the task had been retried) must win, or the task would wait for a
     * pointer that no longer exists until the next reload.
     */
    void restore(PendingEntry entry) {
        if (!byTask.containsKey(entry.taskId())) {
            add(entry);
        }
    }

    void remove(String taskId) {
        PendingEntry entry = byTask.remove(taskId);
        if (entry != null) {
            ready.remove(entry);
            delayed.remove(entry);
        }
        attributes.remove(taskId);
    }

    /** Removes {@code entry} if the index holds that very pointer for its task (not a later one). */
    void remove(PendingEntry entry) {
        if (entry.equals(byTask.get(entry.taskId()))) {
            remove(entry.taskId());
        }
    }

    /** Moves delayed entries whose time has come to the ready set. */
    void promoteDue(long now) {
        while (!delayed.isEmpty() && delayed.first().notBefore() <= now) {
            ready.add(delayed.pollFirst());
        }
    }

    /** Millis until the next delayed entry is due, or -1 when none is delayed. */
    long millisUntilNextDue(long now) {
        return delayed.isEmpty() ? -1 : Math.max(0, delayed.first().notBefore() - now);
    }

    /**
     * Up to {@code max} ready entries in order, skipping those whose labels {@code canPlace} rejects and those
     * {@code admit} refuses (a limit: null admits all), but no more than {@code maxRefused} of the latter, so a long
     * run of limited tasks costs a bounded scan; entries whose placement is not known yet are included (the caller
     * reads them).
     */
    List<PendingEntry> next(int max, Predicate<Set<String>> canPlace, Predicate<Placement> admit, int maxRefused) {
        List<PendingEntry> out = new ArrayList<>(Math.min(max, ready.size()));
        int refused = 0;
        for (PendingEntry e : ready) {
            if (out.size() >= max) {
                break;
            }
            Placement known = placementOf(e);
            if (known == null) {
                out.add(e);
            } else if (canPlace.test(known.labels())) {
                if (admit == null || admit.test(known)) {
                    out.add(e);
                } else if (++refused >= maxRefused) {
                    break;
                }
            }
        }
        return out;
    }

    /** {@link #next(int, Predicate, Predicate, int)} without limits. */
    List<PendingEntry> next(int max, Predicate<Set<String>> canPlace) {
        return next(max, canPlace, null, Integer.MAX_VALUE);
    }

    /**
     * The type, key and labels of a task: from the pointer alone for one without attributes, null while those of
     * one with attributes are not known.
     */
    Placement placementOf(PendingEntry entry) {
        return entry.labelled() ? attributes.get(entry.taskId()) : new Placement(entry.type(), null, Set.of());
    }

    /** The labels a task requires: empty for an unlabelled one, null while a labelled one's are not known. */
    Set<String> labelsOf(PendingEntry entry) {
        Placement p = placementOf(entry);
        return p == null ? null : p.labels();
    }

    /** Records what a task's record says, unless the index no longer holds the task. */
    void setAttributes(String taskId, String type, String key, Set<String> taskLabels) {
        if (byTask.containsKey(taskId)) {
            attributes.put(taskId, new Placement(type, key, taskLabels));
        }
    }

    void setLabels(String taskId, Set<String> taskLabels) {
        PendingEntry entry = byTask.get(taskId);
        setAttributes(taskId, entry == null ? null : entry.type(), null, taskLabels);
    }

    void clear() {
        ready.clear();
        delayed.clear();
        byTask.clear();
        attributes.clear();
    }

    int size() {
        return byTask.size();
    }
}
