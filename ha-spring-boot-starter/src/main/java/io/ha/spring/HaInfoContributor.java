package io.ha.spring;

import io.ha.core.cluster.HaCluster;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

/**
 * The {@code ha} section of the info endpoint: cluster, agent id, role, connect string (without credentials, which
 * never are part of it), whether ZooKeeper is embedded, capacity and labels. Static facts only; the health
 * indicator has the live state.
 */
public class HaInfoContributor implements InfoContributor {
    private final HaClusterLifecycle lifecycle;

    public HaInfoContributor(HaClusterLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Override
    public void contribute(Info.Builder builder) {
        HaCluster cluster = lifecycle.cluster();
        Map<String, Object> ha = new LinkedHashMap<>();
        ha.put("cluster", cluster.clusterName());
        ha.put("agentId", cluster.agentId());
        ha.put("role", cluster.role().name().toLowerCase());
        ha.put("connectString", cluster.connectString());
        ha.put("embeddedZooKeeper", cluster.embeddedZooKeeper().isPresent());
        ha.put("capacity", cluster.config().capacity());
        ha.put("labels", cluster.config().labels());
        builder.withDetail("ha", ha);
    }
}
