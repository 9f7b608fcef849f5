package io.ha.spring;

import io.ha.core.testing.ZkTestBase;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Spring application contexts on this test's real ZooKeeper server, with the short session of {@link ZkTestBase};
 * each is closed after the test.
 */
abstract class SpringTestBase extends ZkTestBase {
    /** A started application of {@code config} as instance {@code agentId}, with extra {@code key=value} properties. */
    protected ConfigurableApplicationContext app(String agentId, Class<?> config, String... properties) {
        return closeLater(builder(agentId, config, properties).run());
    }

    protected SpringApplicationBuilder builder(String agentId, Class<?> config, String... properties) {
        List<String> all = new ArrayList<>(List.of(
                "ha.zk.connect=" + server.getConnectString(),
                "ha.cluster.name=test",
                "ha.agent.id=" + agentId,
                "ha.session.timeout=" + SESSION.toMillis() + "ms",
                "ha.connection.timeout=" + CONNECTION.toMillis() + "ms",
                "ha.shutdown.drain-timeout=2s",
                "spring.main.banner-mode=off",
                "spring.main.log-startup-info=false",
                "logging.level.org.springframework=WARN"));
        all.addAll(List.of(properties));
        return new SpringApplicationBuilder(config).web(WebApplicationType.NONE).properties(all.toArray(String[]::new));
    }
}
