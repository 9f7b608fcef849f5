package io.ha.samples.loadbalancing;

import io.ha.core.task.AssignmentStrategies;
import io.ha.core.task.AssignmentStrategy;

/**
 * The three built-in placements the load-balancing sample compares. The strategy is a setting of the whole cluster
 * (whichever member leads dispatches, with its own), so each gets a cluster of its own, {@code <cluster>-<suffix>},
 * with every member set alike.
 *
 * <p>Guarantee: {@link #strategy()} returns a new instance each time (round-robin keeps state). Not guaranteed:
 * anything about how the placements compare; that is what the sample measures.
 */
enum Placement {
    ROUND_ROBIN("rr", "round-robin"),
    LEAST_LOADED("ll", "least-loaded"),
    CAPACITY_WEIGHTED("cw", "capacity-weighted");

    private final String suffix;
    private final String label;

    Placement(String suffix, String label) {
        this.suffix = suffix;
        this.label = label;
    }

    String label() {
        return label;
    }

    /** The name of this placement's cluster. */
    String cluster(String base) {
        return base + "-" + suffix;
    }

    AssignmentStrategy strategy() {
        return switch (this) {
            case ROUND_ROBIN -> AssignmentStrategies.roundRobin();
            case LEAST_LOADED -> AssignmentStrategies.leastLoaded();
            case CAPACITY_WEIGHTED -> AssignmentStrategies.capacityWeighted();
        };
    }
}
