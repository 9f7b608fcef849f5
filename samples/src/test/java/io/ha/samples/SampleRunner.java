package io.ha.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.ha.core.cluster.EmbeddedZooKeeper;
import io.ha.process.ChildProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.UUID;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;

/**
 * Runs {@code bin/ha-sample}'s main class in a JVM of its own, as a user would, and reports its exit code, its output
 * and any process of the run still alive after it exited (found by the run's marker on their command lines).
 */
public final class SampleRunner {
    /** What one run left: exit code, output lines, pids of marked processes still alive after the exit. */
    public record Result(int exitCode, List<String> lines, List<Long> leftovers) {
        /** The output as one text, for assertions that name what was printed. */
        public String output() {
            return String.join("\n", lines);
        }

        /** Asserts exit code 0, the closing line of a held guarantee and no process left behind. */
        public Result assertGuaranteeHeld() {
            assertThat(exitCode).as("exit code; output:\n%s", output()).isZero();
            assertThat(output()).contains("GUARANTEE HELD").contains("[ok]     no process was left behind");
            assertThat(leftovers).as("processes of the run still alive").isEmpty();
            return this;
        }
    }

    private SampleRunner() {
    }

    /** Runs {@code SampleMain args}; fails the test when it does not end within {@code timeout}. */
    public static Result run(Duration timeout, String... args) throws Exception {
        return runMain(SampleMain.class, timeout, args);
    }

    /**
     * Runs {@code SampleMain name --zk CONNECT} on a ZooKeeper of its own, as a user's given server, and asserts what
     * every such run must do: hold its guarantee, work under a chroot of its own, and leave nothing in ZooKeeper.
     */
    public static Result runOnGivenZooKeeper(Duration timeout, String name) throws Exception {
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start();
             CuratorFramework client = CuratorFrameworkFactory.newClient(zk.connectString(), new RetryOneTime(100))) {
            client.start();
            Result result = run(timeout, name, "--zk", zk.connectString()).assertGuaranteeHeld();
            assertThat(result.output()).containsPattern("ZooKeeper: given at " + zk.connectString() + "/ha-sample-");
            assertThat(client.getChildren().forPath("/")).as("what the run left in ZooKeeper")
                    .containsOnly("zookeeper");
            return result;
        }
    }

    /** Runs {@code main args} in a JVM of its own, marked as a sample run; fails the test on a timeout. */
    public static Result runMain(Class<?> main, Duration timeout, String... args) throws Exception {
        String marker = UUID.randomUUID().toString();
        String option = "-D" + SampleRun.MARKER_PROPERTY + "=" + marker;
        ChildProcess process = ChildProcess.java(main.getName()).name(main.getSimpleName())
                .jvmOptions("-Xmx256m", option, SampleProcess.LOGGING).args(args).mergeErrorIntoOutput()
                .keepLines(100_000).start();
        try {
            OptionalInt exit = process.awaitExit(timeout);
            assertThat(exit).as("%s %s ended within %s; output so far:\n%s", main.getSimpleName(),
                    String.join(" ", args), timeout,
                    String.join("\n", process.lines())).isPresent();
            List<Long> left = new ArrayList<>();
            ProcessHandle.allProcesses()
                    .filter(p -> p.info().commandLine().map(c -> c.contains(option)).orElse(false))
                    .forEach(p -> {
                        left.add(p.pid());
                        p.destroyForcibly();
                    });
            return new Result(exit.getAsInt(), process.lines(), left);
        } finally {
            process.close();
        }
    }
}
