package io.ha.agent.bench;

import java.util.List;
import java.util.Map;

/**
 * Everything one {@code ha-bench queue} run measured, filled in section by section by {@link QueueBenchmark} and
 * printed by {@link QueueReport}.
 */
final class QueueResults {
    /** The targets the issue sets; checked against the baselines measured in the same run. */
    static final double TARGET_VS_DISTRIBUTED_QUEUE = 5.0;
    static final double TARGET_VS_SYNC_CREATES = 1.5;
    static final double TARGET_DEPTH_RATIO = 1.3;

    QueueBenchOptions options;
    int payloadBytes;

    double zkSyncCreates;
    List<Double> zkSyncCreateRounds = List.of();
    double zkAsyncCreates;
    double zkMultiCreates;
    double zkSyncReads;

    HaQueueBench.Run ha;
    List<Double> haRoundRates = List.of();
    /** Share of each timed round's wall time the JIT compiler spent compiling (0-1 per compiler thread). */
    List<Double> haRoundJitShares = List.of();
    int haCapacity;
    HaQueueBench.Run haPaced;
    /** One group of many members and a join, on the same fleet right after the timed rounds. */
    HaGroupBench.Run haGroup;
    ServerStats haServerCost;
    CpuProfile.Usage haCpu;
    CpuProfile.Usage wholeRun;
    Map<String, Map<String, Double>> haSamples;

    double curatorDistributedQueue;
    List<Double> curatorDistributedQueueRounds = List.of();
    double curatorSimpleQueue;
    List<Double> curatorSimpleQueueRounds = List.of();

    HaQueueBench.Depth depthSmall;
    HaQueueBench.Depth depthLarge;

    double haVsDistributedQueue() {
        return ha.perSecond() / curatorDistributedQueue;
    }

    double haGroupVsQueue() {
        return haGroup.perSecond() / ha.perSecond();
    }

    double haVsSimpleQueue() {
        return ha.perSecond() / curatorSimpleQueue;
    }

    double haVsSyncCreates() {
        return ha.perSecond() / zkSyncCreates;
    }

    double haVsMultiCreates() {
        return ha.perSecond() / zkMultiCreates;
    }

    double depthRatio() {
        return depthLarge.msPerTask() / depthSmall.msPerTask();
    }

    /** The same ratio in CPU time per task, which other processes on the machine disturb less. */
    double depthCpuRatio() {
        return depthLarge.cpuMsPerTask() / depthSmall.cpuMsPerTask();
    }

    boolean metVsDistributedQueue() {
        return haVsDistributedQueue() >= TARGET_VS_DISTRIBUTED_QUEUE;
    }

    boolean metVsSyncCreates() {
        return haVsSyncCreates() >= TARGET_VS_SYNC_CREATES;
    }

    boolean metDepth() {
        return depthRatio() <= TARGET_DEPTH_RATIO;
    }
}
