package io.ha.agent.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.ha.agent.supervisor.WatchedProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/ha-demo}'s program end to end, as CI runs it, with fewer tasks. */
class TaskDemoTest {
    @TempDir
    Path dir;

    @Test
    void runsTasksThroughTheKillOfAnAgentAndLeavesNothingBehind() throws Exception {
        try (WatchedProcess demo = WatchedProcess.startJava("demo", TaskDemo.class.getName(),
                List.of("--tasks", "20", "--ci"), Map.of(), dir)) {
            assertThat(demo.awaitExit(Duration.ofMinutes(4))).as("exit code of the demo").isZero();

            assertThat(demo.find(Pattern.compile("tasks\\s+: 20 of 20 succeeded"))).isPresent();
            Matcher kill = demo.find(Pattern.compile(">>> kill -9 (agent-\\d) \\(pid (\\d+)")).orElseThrow();
            String victim = kill.group(1);
            assertThat(demo.find(Pattern.compile(victim + "\\s+:\\s+\\d+ succeeded\\s+\\(killed with kill -9 at")))
                    .isPresent();
            assertThat(demo.find(Pattern.compile("reassigned\\s+: [1-9]\\d* tasks? \\(from " + victim + ": ")))
                    .isPresent();
            int perAgentTotal = demo.findAll(Pattern.compile("(agent-\\d)\\s+:\\s+(\\d+) succeeded")).stream()
                    .mapToInt(m -> Integer.parseInt(m.group(2))).sum();
            assertThat(perAgentTotal).isEqualTo(20);
            assertThat(demo.find(Pattern.compile("progress: \\d+/20 succeeded"))).isPresent();
            // Plain output for CI: no ANSI escape anywhere.
            assertThat(demo.lines()).noneMatch(l -> l.contains("\033["));
            assertThat(demo.find(Pattern.compile("nothing left behind: pgrep -fa (ha-demo-\\d+) finds no process")))
                    .isPresent();
            assertThat(demo.find(Pattern.compile("demo finished OK"))).isPresent();
            long victimPid = Long.parseLong(kill.group(2));
            assertThat(ProcessHandle.of(victimPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        }
    }

    @Test
    void refusesUnknownArgumentsWithUsage() throws Exception {
        try (WatchedProcess demo = WatchedProcess.startJava("demo-usage", TaskDemo.class.getName(),
                List.of("--tasks", "many"), Map.of(), dir)) {
            assertThat(demo.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
            assertThat(demo.find(Pattern.compile("--tasks needs a number, got 'many'"))).isPresent();
            assertThat(demo.find(Pattern.compile("usage: ha-demo"))).isPresent();
        }
    }
}
