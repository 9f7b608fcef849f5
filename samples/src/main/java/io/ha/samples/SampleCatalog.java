package io.ha.samples;

import java.util.List;
import java.util.Optional;

/** Every sample {@code bin/ha-sample} knows, in the order it lists them. */
final class SampleCatalog {
    static final List<Sample> ALL = List.of(
            new io.ha.samples.watchdog.WatchdogSample(),
            new io.ha.samples.masterworker.MasterWorkerSample(),
            new io.ha.samples.distributedlock.DistributedLockSample(),
            new io.ha.samples.loadbalancing.LoadBalancingSample(),
            new io.ha.samples.masterslave.MasterSlaveSample(),
            new io.ha.samples.intervalpipeline.IntervalPipelineSample(),
            new io.ha.samples.mapreduce.MapReduceSample(),
            new io.ha.samples.serviceintegration.ServiceIntegrationSample());

    private SampleCatalog() {
    }

    static Optional<Sample> find(String name) {
        return ALL.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
