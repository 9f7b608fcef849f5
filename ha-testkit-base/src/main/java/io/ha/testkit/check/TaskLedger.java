package io.ha.testkit.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks HA's task semantics over what a test saw: at-least-once execution (a task may run more than once: reruns
 * are counted, not faults) and an exactly-once outcome record (every acknowledged task gets one outcome record, and
 * none gets two). Fed with {@link #acknowledged} (the queue accepted the task: submit returned), {@link #ran} (one
 * execution of its handler) and {@link #recorded} (one outcome record seen: SUCCEEDED, DEAD, CANCELLED...).
 *
 * <p>Thread-safe. It checks only what it is fed and at the instant of {@link #check}: a task still running then
 * shows as lost and stuck, so check once the test has waited for the work to settle.
 */
public final class TaskLedger {
    /** What {@link #check} found. Task ids are sorted; immutable. */
    public record Report(int acknowledged, Set<String> lost, Map<String, List<String>> recordedTwice,
            Set<String> stuck, Set<String> unknown, Map<String, Integer> reruns, Map<String, Integer> outcomes) {
        /** Copies every collection: a report does not change when the ledger does. */
        public Report {
            lost = Collections.unmodifiableSet(new TreeSet<>(lost));
            recordedTwice = Collections.unmodifiableMap(new TreeMap<>(recordedTwice));
            stuck = Collections.unmodifiableSet(new TreeSet<>(stuck));
            unknown = Collections.unmodifiableSet(new TreeSet<>(unknown));
            reruns = Collections.unmodifiableMap(new TreeMap<>(reruns));
            outcomes = Collections.unmodifiableMap(new TreeMap<>(outcomes));
        }

        /** How many outcome records of {@code state} were seen (every record counts, twice-recorded ones too). */
        public int outcomes(String state) {
            return outcomes.getOrDefault(state, 0);
        }

        /**
         * Nothing lost, recorded twice or stuck. Reruns are allowed; so are unknown tasks (reported only): a submit
         * whose reply was lost went through without its caller hearing of it.
         */
        public boolean isClean() {
            return lost.isEmpty() && recordedTwice.isEmpty() && stuck.isEmpty();
        }

        /** A readable account: counts, then each finding (at most 20 of each kind). */
        public String describe() {
            return new Describe("TaskLedger: " + acknowledged + " acknowledged, outcomes " + outcomes + ", "
                    + reruns.size() + " rerun: " + (isClean() ? "clean" : "NOT clean"))
                    .section("lost (acknowledged, no outcome recorded)", lost)
                    .section("recorded twice", recordedTwice.entrySet())
                    .section("stuck (ran, no outcome recorded)", stuck)
                    .section("unknown (recorded, never acknowledged; allowed)", unknown)
                    .section("reruns (allowed)", reruns.entrySet())
                    .toString();
        }

        /** @throws AssertionError with {@link #describe()} unless {@link #isClean()} */
        public Report assertClean() {
            if (!isClean()) {
                throw new AssertionError(describe());
            }
            return this;
        }
    }

    private final Set<String> acknowledged = new TreeSet<>();
    private final Map<String, List<String>> runs = new LinkedHashMap<>();
    private final Map<String, List<String>> records = new LinkedHashMap<>();

    /**
     * The queue accepted {@code taskId} (submit returned). Acknowledging one id twice counts it once.
     *
     * @throws IllegalArgumentException if {@code taskId} is blank
     */
    public synchronized void acknowledged(String taskId) {
        acknowledged.add(Clocks.requireName("taskId", taskId));
    }

    /**
     * One execution of {@code taskId}'s handler by {@code worker}; each call is one run.
     *
     * @throws IllegalArgumentException if {@code taskId} or {@code worker} is blank
     */
    public synchronized void ran(String taskId, String worker) {
        Clocks.requireName("taskId", taskId);
        Clocks.requireName("worker", worker);
        runs.computeIfAbsent(taskId, id -> new ArrayList<>()).add(worker);
    }

    /**
     * One outcome record of {@code taskId} seen, in {@code state}; each call is one record.
     *
     * @throws IllegalArgumentException if {@code taskId} or {@code state} is blank
     */
    public synchronized void recorded(String taskId, String state) {
        Clocks.requireName("taskId", taskId);
        Clocks.requireName("state", state);
        records.computeIfAbsent(taskId, id -> new ArrayList<>()).add(state);
    }

    /**
     * Checks everything fed so far: lost = acknowledged with no outcome record (whether or not it ran); recorded
     * twice = two or more outcome records (the states, in order); stuck = ran with no outcome record; unknown =
     * recorded but never acknowledged; reruns = ran more than once (runs per task; allowed).
     */
    public synchronized Report check() {
        Set<String> lost = new TreeSet<>();
        for (String id : acknowledged) {
            if (!records.containsKey(id)) {
                lost.add(id);
            }
        }
        Map<String, List<String>> twice = new TreeMap<>();
        Map<String, Integer> outcomes = new TreeMap<>();
        Set<String> unknown = new TreeSet<>();
        records.forEach((id, states) -> {
            if (states.size() > 1) {
                twice.put(id, List.copyOf(states));
            }
            states.forEach(state -> outcomes.merge(state, 1, Integer::sum));
            if (!acknowledged.contains(id)) {
                unknown.add(id);
            }
        });
        Set<String> stuck = new TreeSet<>();
        Map<String, Integer> reruns = new TreeMap<>();
        runs.forEach((id, workers) -> {
            if (!records.containsKey(id)) {
                stuck.add(id);
            }
            if (workers.size() > 1) {
                reruns.put(id, workers.size());
            }
        });
        return new Report(acknowledged.size(), lost, twice, stuck, unknown, reruns, outcomes);
    }
}
