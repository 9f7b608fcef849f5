package io.ha.core.task.work;

import io.ha.core.CorruptDataException;
import io.ha.core.internal.AsyncReads;
import io.ha.core.internal.Json;
import io.ha.core.task.TaskRecord;
import io.ha.core.task.TaskState;
import io.ha.core.task.store.Assignment;
import io.ha.core.task.store.Versioned;
import java.util.Set;
import java.util.TreeSet;
import org.apache.zookeeper.KeeperException;

/**
 * What a worker does with an assignment it has just read, decided from the two reads alone (the assignment node and
 * the task record) and this agent's id, labels, accepting state and handler types. A pure function: no ZooKeeper, no
 * clock, no logging; {@link Claimer} carries the decision out.
 *
 * <p>Guarantees: a PENDING record is claimed only through this agent's assignment, and a record that says ASSIGNED
 * or RUNNING only when it names this agent and the assignment's attempt (0 meaning "the record's"). Not guaranteed:
 * that the decision still holds when it is carried out; every write it leads to checks the versions read here.
 *
 * @param kind       what to do
 * @param assignment the assignment as read, with its version; null for {@link Kind#RELEASE}
 * @param record     the task record as read, with its version; null for RELEASE, REMOVE_LEFTOVER and DEAD_CORRUPT
 * @param next       the record to write: RUNNING for CLAIM, DEAD for DEAD_UNKNOWN_TYPE, PENDING for HAND_BACK; else
 *                   null
 * @param problem    why the record cannot be read, for DEAD_CORRUPT; else null
 */
record ClaimDecision(Kind kind, Versioned<Assignment> assignment, Versioned<TaskRecord> record, TaskRecord next,
                     CorruptDataException problem) {

    /** The possible decisions, in the order they are tested. */
    enum Kind {
        /** The assignment was taken away before it was read: nothing to do. */
        RELEASE,
        /** An assignment whose task is not active (ended, or never existed): delete it, checked by its version. */
        REMOVE_LEFTOVER,
        /** The record cannot be parsed: end the task DEAD. */
        DEAD_CORRUPT,
        /** The record does not match the assignment (another agent's, another attempt): leave it. */
        MISMATCH,
        /** No handler here for the task's type: end it DEAD, naming the types this agent has. */
        DEAD_UNKNOWN_TYPE,
        /** This agent is draining or lacks the task's labels: give it back to pending without using an attempt. */
        HAND_BACK,
        /** Mark the record RUNNING (one versioned transaction), then run the handler. */
        CLAIM
    }

    /** This agent's side of the decision, as it stands when the reads are back. */
    record Agent(String id, Set<String> labels, boolean accepting, Set<String> types) {
    }

    /**
     * Decides on one assignment.
     *
     * @param a   the read of {@code /assigned/<agent>/<taskId>}
     * @param r   the read of {@code /tasks/<taskId>}
     * @param now the time written into the next record
     * @throws KeeperException       when a read failed for another reason than a missing node (connection loss)
     * @throws CorruptDataException  when the assignment node cannot be parsed
     */
    static ClaimDecision decide(AsyncReads.Result a, AsyncReads.Result r, Agent agent, long now)
            throws KeeperException {
        if (a.code() == KeeperException.Code.NONODE) {
            return new ClaimDecision(Kind.RELEASE, null, null, null, null);
        }
        if (!a.ok()) {
            throw KeeperException.create(a.code(), a.path());
        }
        Versioned<Assignment> assignment = new Versioned<>(Json.read(a.path(), a.data(), Assignment.class),
                a.stat().getVersion());
        if (r.code() == KeeperException.Code.NONODE) {
            // The task has ended (or never existed) yet its assignment is still here: it would hold one of our slots
            // for ever.
            return new ClaimDecision(Kind.REMOVE_LEFTOVER, assignment, null, null, null);
        }
        if (!r.ok()) {
            throw KeeperException.create(r.code(), r.path());
        }
        Versioned<TaskRecord> record;
        try {
            record = new Versioned<>(Json.read(r.path(), r.data(), TaskRecord.class), r.stat().getVersion());
        } catch (CorruptDataException e) {
            return new ClaimDecision(Kind.DEAD_CORRUPT, assignment, null, null, e);
        }
        TaskRecord current = record.value();
        Assignment given = assignment.value();
        // PENDING: a fresh assignment (the leader does not touch the record). ASSIGNED or RUNNING on this agent: held
        // since before a reconnect or a restart under the same id, claimed again.
        boolean fresh = current.state() == TaskState.PENDING;
        boolean ours = agent.id().equals(current.agent())
                && (current.state() == TaskState.ASSIGNED || current.state() == TaskState.RUNNING)
                && (given.attempt() == 0 || given.attempt() == current.attempt());
        if (!fresh && !ours) {
            return new ClaimDecision(Kind.MISMATCH, assignment, record, null, null);
        }
        String type = current.type();
        if (!agent.types().contains(type)) {
            TaskRecord here = fresh ? current.assigned(agent.id(), given.epoch(), now) : current;
            TaskRecord dead = here.ended(TaskState.DEAD, "unknown task type '" + type + "': agent " + agent.id()
                    + " has handlers for " + new TreeSet<>(agent.types()), now);
            return new ClaimDecision(Kind.DEAD_UNKNOWN_TYPE, assignment, record, dead, null);
        }
        if (!agent.accepting() || !agent.labels().containsAll(current.labels())) {
            String reason = !agent.accepting() ? "agent " + agent.id() + " is draining"
                    : "agent " + agent.id() + " lacks labels " + current.labels();
            return new ClaimDecision(Kind.HAND_BACK, assignment, record, current.handedBack(reason, now), null);
        }
        TaskRecord claimed = current.claimed(agent.id(), given.epoch(), given.assignedAt(), now);
        return new ClaimDecision(Kind.CLAIM, assignment, record, claimed, null);
    }
}
