package io.ha.chaos.fault;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The faults a chaos run injects, by the names the command line and the JSON use. */
public enum FaultKind {
    /** kill -9 of an agent; started again once its session expired. */
    AGENT_KILL(true),
    /** SIGSTOP of an agent for longer than its session timeout, then SIGCONT: a long GC pause. */
    AGENT_PAUSE(true),
    /** SIGTERM of an agent (it drains and deregisters), then started again. */
    AGENT_DRAIN(false),
    /** An agent cut off from every server (its proxies drop all bytes) past its session timeout, then healed. */
    AGENT_PARTITION(true),
    /** kill -9 of a ZooKeeper server that does not lead, started again after a few seconds. */
    ZK_KILL(false),
    /** kill -9 of the ZooKeeper leader, started again after a few seconds. */
    ZK_LEADER_KILL(false),
    /** A majority of the servers stopped for a few seconds (nobody can write), then started again. */
    QUORUM_LOSS(false);

    private final boolean agentDeath;

    FaultKind(boolean agentDeath) {
        this.agentDeath = agentDeath;
    }

    /** True when the fault ends the agent's session, so its tasks are reassigned (the reassignment time counts). */
    public boolean agentDeath() {
        return agentDeath;
    }

    /** The name on the command line and in the JSON: {@code agent-kill}, {@code zk-leader-kill}, ... */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The kind named {@code label}. */
    public static FaultKind of(String label) {
        for (FaultKind k : values()) {
            if (k.label().equals(label.strip())) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown fault kind '" + label + "' (known: " + labels() + ")");
    }

    public static String labels() {
        return Arrays.stream(values()).map(FaultKind::label).collect(Collectors.joining(", "));
    }
}
