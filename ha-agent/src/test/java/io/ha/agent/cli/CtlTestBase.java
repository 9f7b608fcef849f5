package io.ha.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ha.core.cluster.HaCluster;
import io.ha.core.testing.ZkTestBase;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs ha-ctl in-process against this test's ZooKeeper server, with captured stdout and stderr and an environment
 * that points at the server and the tests' cluster ("test", as {@link ZkTestBase#member} names it).
 */
abstract class CtlTestBase extends ZkTestBase {
    static final ObjectMapper JSON = new ObjectMapper();

    /** The outcome of one ha-ctl command line. */
    record Result(int code, String out, String err) {
        JsonNode json() throws Exception {
            return JSON.readTree(out);
        }

        /** Asserts the exit code, showing both streams when it differs. */
        Result exits(int expected) {
            assertThat(code).as("exit code; stdout:%n%s%nstderr:%n%s", out, err).isEqualTo(expected);
            return this;
        }
    }

    protected final Map<String, String> env = new HashMap<>();

    protected Map<String, String> env() {
        if (!env.containsKey(ClusterConnection.ENV_CONNECT)) {
            env.put(ClusterConnection.ENV_CONNECT, server.getConnectString());
            env.putIfAbsent(ClusterConnection.ENV_CLUSTER, "test");
        }
        return env;
    }

    protected Result ctl(String... args) {
        return ctlWithStdin(new byte[0], args);
    }

    protected Result ctlWithStdin(byte[] stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        InputStream in = new ByteArrayInputStream(stdin);
        int code = CtlMain.execute(args, new PrintWriter(out), new PrintWriter(err), in, env());
        return new Result(code, out.toString(), err.toString());
    }

    /** A member whose worker answers "echo" tasks with "echo:" + payload. */
    protected HaCluster echoMember(String id) throws Exception {
        HaCluster m = member(id);
        m.worker().register("echo", ctx -> ("echo:" + ctx.payloadAsString()).getBytes(StandardCharsets.UTF_8), 2);
        return m;
    }
}
