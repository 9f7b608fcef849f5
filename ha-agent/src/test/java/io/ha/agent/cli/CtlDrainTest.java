package io.ha.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.ha.core.cluster.HaCluster;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** drain: the command reaches a live agent, which stops accepting; unknown and deaf agents exit 1. */
class CtlDrainTest extends CtlTestBase {

    /** A member that drains its worker on the "drain" command, as the agent daemon does. */
    private HaCluster drainableMember(String id) throws Exception {
        HaCluster m = echoMember(id);
        m.agentControl().onCommand(command -> {
            if ("drain".equals(command.name())) {
                try {
                    m.worker().drain(Duration.ofSeconds(5));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        await().atMost(WAIT).until(() -> m.membership().get(id).map(a -> a.accepting()).orElse(false));
        return m;
    }

    @Test
    void drainOfALiveAgentWaitsUntilItStopsAccepting() throws Exception {
        HaCluster a = drainableMember("agent-a");

        Result r = ctl("drain", "agent-a").exits(0);
        assertThat(r.out()).isEqualTo("agent agent-a is draining: it takes no new tasks; 0 task(s) in flight "
                + "finish or go back to pending\n");
        assertThat(r.err()).isEmpty();
        assertThat(a.worker().isAccepting()).isFalse();

        JsonNode agent = ctl("agents", "--json").exits(0).json().get(0);
        assertThat(agent.get("state").asText()).isEqualTo("draining");
        assertThat(agent.get("accepting").asBoolean()).isFalse();

        JsonNode again = ctl("drain", "agent-a", "--json").exits(0).json();
        assertThat(again.get("agent").asText()).isEqualTo("agent-a");
        assertThat(again.get("handled").asBoolean()).isTrue();
        assertThat(again.get("accepting").asBoolean()).isFalse();
        assertThat(again.get("inFlight").asInt()).isZero();
    }

    @Test
    void drainOfAnUnknownAgentExitsOneNamingIt() throws Exception {
        drainableMember("agent-a");
        Result r = ctl("drain", "ghost").exits(1);
        assertThat(r.err()).isEqualTo("ha-ctl: agent 'ghost' is not alive in cluster /ha/test\n");
        assertThat(r.out()).isEmpty();
        assertThat(ctl("drain", "a/b").exits(2).err()).isEqualTo("ha-ctl: agent id 'a/b' must not contain '/'\n");
    }

    @Test
    void drainOfAnAgentThatIgnoresCommandsTimesOut() throws Exception {
        member("deaf");
        Result r = ctl("drain", "deaf", "--timeout", "500ms").exits(1);
        assertThat(r.err()).isEqualTo("ha-ctl: agent 'deaf' did not take the drain command within 500ms; the "
                + "command stays queued for it (is it an ha-agent daemon listening for commands?)\n");
    }
}
