package io.ha.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final List<ChildProcess> started = new CopyOnWriteArrayList<>();
    @TempDir
    Path dir;

    private ChildProcess fixture(ChildProcessBuilder b) throws IOException {
        ChildProcess p = b.start();
        started.add(p);
        return p;
    }

    private static ChildProcessBuilder java(String... steps) {
        return ChildProcess.java(Fixture.class.getName())
                .jvmOptions("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1").args(steps);
    }

    @AfterEach
    void closeAll() {
        started.forEach(ChildProcess::close);
    }

    @Test
    void collectsStdoutAndStderrSeparatelyAndReportsTheExitCode() throws Exception {
        ChildProcess p = fixture(java("out:hello", "err:oops", "out:bye", "exit:3"));
        assertThat(p.awaitExit(WAIT)).isEqualTo(OptionalInt.of(3));
        assertThat(p.stdout()).containsExactly("hello", "bye");
        assertThat(p.stderr()).containsExactly("oops");
        assertThat(p.lines()).containsExactlyInAnyOrder("hello", "oops", "bye");
        assertThat(p.exitCode()).isEqualTo(OptionalInt.of(3));
        assertThat(p.name()).isEqualTo("Fixture");
    }

    @Test
    void awaitLineSeesLinesPrintedBeforeTheCallAndReturnsTheGroups() throws Exception {
        ChildProcess p = fixture(java("out:READY port=4711", "sleep:60000"));
        await().atMost(WAIT).until(() -> !p.stdout().isEmpty());
        Matcher m = p.awaitLine(Pattern.compile("READY port=(\\d+)"), WAIT);
        assertThat(m.group(1)).isEqualTo("4711");
        assertThat(p.find(Pattern.compile("port=(\\d+)"))).hasValueSatisfying(f -> assertThat(f.group(1))
                .isEqualTo("4711"));
    }

    @Test
    void awaitLineWaitsForALineStillToCome() throws Exception {
        ChildProcess p = fixture(java("sleep:500", "err:late line", "sleep:60000"));
        assertThat(p.awaitLine(Pattern.compile("late (\\w+)"), WAIT).group(1)).isEqualTo("line");
    }

    @Test
    void awaitLineFailsWithEofWhenTheOutputEndsWithoutAMatch() throws Exception {
        ChildProcess p = fixture(java("out:something else", "exit:1"));
        assertThatThrownBy(() -> p.awaitLine(Pattern.compile("READY"), WAIT)).isInstanceOf(EOFException.class)
                .hasMessageContaining("Fixture (pid " + p.pid() + ")").hasMessageContaining("READY");
    }

    @Test
    void awaitLineTimesOutWhileTheProcessRunsSilently() throws Exception {
        ChildProcess p = fixture(java("sleep:60000"));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> p.awaitLine(Pattern.compile("READY"), Duration.ofMillis(300)))
                .isInstanceOf(TimeoutException.class).hasMessageContaining("within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(p.isAlive()).isTrue();
    }

    @Test
    void keepsOnlyTheLatestLines() throws Exception {
        ChildProcess p = fixture(java("lines:50").keepLines(10));
        assertThat(p.awaitExit(WAIT)).hasValue(0);
        assertThat(p.lines()).hasSize(10).startsWith("line 41").endsWith("line 50");
        // The first line left the buffer before anyone looked: the wait cannot see it any more.
        assertThatThrownBy(() -> p.awaitLine(Pattern.compile("^line 1$"), WAIT)).isInstanceOf(EOFException.class);
    }

    @Test
    void listenerAndCopyFileGetEveryLineEvenWhenTheListenerFails() throws Exception {
        List<String> heard = new CopyOnWriteArrayList<>();
        Path log = dir.resolve("child.log");
        Files.writeString(log, "earlier run\n");
        ChildProcess p = fixture(java("out:one", "out:two", "err:three").appendOutputTo(log)
                .onLine((stream, text) -> {
                    heard.add(stream + " " + text);
                    if (text.equals("one")) {
                        throw new IllegalStateException("a listener bug");
                    }
                }));
        assertThat(p.awaitExit(WAIT)).hasValue(0);
        assertThat(heard).containsExactlyInAnyOrder("STDOUT one", "STDOUT two", "STDERR three");
        await().atMost(WAIT).untilAsserted(() -> assertThat(Files.readAllLines(log, StandardCharsets.UTF_8))
                .startsWith("earlier run").containsExactlyInAnyOrder("earlier run", "one", "two", "three"));
    }

    @Test
    void mergedStderrArrivesAsStdoutInOrder() throws Exception {
        ChildProcess p = fixture(java("out:a", "err:b", "out:c").mergeErrorIntoOutput());
        assertThat(p.awaitExit(WAIT)).hasValue(0);
        assertThat(p.stdout()).contains("a", "b", "c");
        assertThat(p.stderr()).isEmpty();
    }

    @Test
    void redirectedStderrIsNotRead() throws Exception {
        Path err = dir.resolve("err.txt");
        ChildProcess p = fixture(java("out:a", "err:b").redirectError(ProcessBuilder.Redirect.appendTo(err.toFile())));
        assertThat(p.awaitExit(WAIT)).hasValue(0);
        assertThat(p.lines()).containsExactly("a");
        assertThat(Files.readString(err)).isEqualTo("b" + System.lineSeparator());
    }

    @Test
    void setsEnvironmentAndWorkingDirectory() throws Exception {
        ChildProcess p = fixture(java("env:HOME", "env:HA_PROCESS_TEST", "cwd").dropInheritedEnv("HOME")
                .env("HA_PROCESS_TEST", "yes").directory(dir));
        assertThat(p.awaitExit(WAIT)).hasValue(0);
        assertThat(p.stdout()).containsExactly("HOME=null", "HA_PROCESS_TEST=yes",
                "cwd=" + dir.toRealPath());
    }

    @Test
    void runsACommand() throws Exception {
        ChildProcess p = fixture(ChildProcess.command(List.of("sh", "-c", "echo hi; echo oops >&2; exit 4")));
        assertThat(p.awaitExit(WAIT)).hasValue(4);
        assertThat(p.stdout()).containsExactly("hi");
        assertThat(p.stderr()).containsExactly("oops");
        assertThat(p.name()).isEqualTo("sh");
        assertThatThrownBy(() -> ChildProcess.command(List.of("sh")).classPath("x"))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void killTreeKillsTheProcessAndItsDescendants() throws Exception {
        ChildProcess p = fixture(java("spawn", "sleep:60000"));
        long child = Long.parseLong(p.awaitLine(Pattern.compile("CHILD (\\d+)"), WAIT).group(1));
        assertThat(ProcessHandle.of(child)).hasValueSatisfying(h -> assertThat(h.isAlive()).isTrue());
        assertThat(p.killTree()).isGreaterThanOrEqualTo(1);
        assertThat(p.awaitExit(WAIT)).isPresent();
        await().atMost(WAIT).until(() -> ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false) == false);
    }

    @Test
    void terminateEndsAJvmWithItsSigtermCode() throws Exception {
        ChildProcess p = fixture(java("out:up", "sleep:60000"));
        p.awaitLine(Pattern.compile("up"), WAIT);
        p.terminate();
        assertThat(p.awaitExit(WAIT)).hasValue(143);
    }

    @Test
    void stopWaitsForTheGraceThenKills() throws Exception {
        ChildProcess quick = fixture(java("out:up", "sleep:60000"));
        ChildProcess slow = fixture(java("slow-stop:60000", "out:up", "sleep:60000"));
        quick.awaitLine(Pattern.compile("up"), WAIT);
        slow.awaitLine(Pattern.compile("up"), WAIT);
        assertThat(quick.stop(WAIT)).hasValue(143);
        assertThat(slow.stop(Duration.ofMillis(500))).isEmpty();
        assertThat(slow.isAlive()).isFalse();
        // Stopping what has stopped reports the exit again.
        assertThat(quick.stop(WAIT)).hasValue(143);
    }

    @Test
    void suspendFreezesTheProcessUntilResume() throws Exception {
        ChildProcess p = fixture(java("ticks"));
        p.awaitLine(Pattern.compile("tick 3"), WAIT);
        p.suspend();
        // A line already on its way may still arrive; after that, silence.
        Thread.sleep(200);
        int frozenAt = p.lines().size();
        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5))
                .until(() -> p.lines().size() == frozenAt);
        p.resume();
        await().atMost(WAIT).until(() -> p.lines().size() > frozenAt + 2);
    }

    @Test
    void signalNamesThePidWhenKillFails() {
        // Above the largest pid Linux hands out (pid_max is at most 2^22), yet a valid int for kill(1).
        long gone = 99_999_999L;
        assertThatThrownBy(() -> ChildProcess.signal(gone, ChildProcess.Signal.CONT))
                .isInstanceOf(IOException.class).hasMessageContaining("kill -CONT " + gone);
    }

    @Test
    void closeKillsAndMayBeRepeated() throws Exception {
        ChildProcess p = fixture(java("sleep:60000"));
        p.close();
        p.close();
        assertThat(p.isAlive()).isFalse();
    }
}
