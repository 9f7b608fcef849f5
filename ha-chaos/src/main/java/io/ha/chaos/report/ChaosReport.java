package io.ha.chaos.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ha.chaos.fault.Fault;
import io.ha.chaos.fault.FaultInjector;
import io.ha.chaos.fault.FaultKind;
import io.ha.core.task.TaskState;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The result of one chaos run, as the console summary and as JSON ({@code --json}). The JSON has at least the keys
 * the issue names: {@code acknowledged, succeeded, dead, lost, recorded_twice, leader_overlaps, exclusive_overlaps,
 * ticks_enqueued, ticks_elapsed, faults}, plus {@code zombie_window}, {@code reassign_ms_p50/max}, {@code seed},
 * {@code duration_s}, {@code session_timeout_ms} and {@code invariants_held}.
 *
 * <p>Guarantee: immutable; {@link #invariantsHeld()} is the exit code's source. Not guaranteed: stable key order
 * beyond the first keys.
 */
public record ChaosReport(Map<String, Object> fields, boolean invariantsHeld, List<String> failures) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public ChaosReport {
        fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        failures = List.copyOf(failures);
    }

    /** Everything the run measured, in the JSON's shape. */
    public static ChaosReport of(long seed, long durationMs, long sessionTimeoutMs, long startedAt, Outcomes outcomes,
                                 int refused, Invariants inv, Ticks ticks, List<Fault> faults, List<Long> reassign,
                                 int agentStarts, RunLog log) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("acknowledged", inv.tasks().acknowledged());
        m.put("succeeded", outcomes.count(TaskState.SUCCEEDED));
        m.put("dead", outcomes.count(TaskState.DEAD));
        m.put("failed", outcomes.count(TaskState.FAILED));
        m.put("lost", inv.tasks().lost().size());
        m.put("recorded_twice", inv.tasks().recordedTwice().size());
        m.put("reruns", inv.tasks().reruns().size());
        m.put("submits_refused", refused);
        m.put("leader_overlaps", inv.leader().overlaps().size());
        m.put("leader_epochs_reused", inv.leader().epochsReused().size());
        m.put("exclusive_overlaps", inv.exclusive().overlaps().size());
        m.put("exclusive_tokens_out_of_order", inv.exclusive().tokensOutOfOrder().size());
        m.put("leader_steps", inv.leader().intervals().size());
        m.put("exclusive_steps", inv.exclusive().holds().size());
        m.put("ticks_enqueued", ticks.enqueued());
        m.put("ticks_elapsed", ticks.elapsed());
        m.put("ticks_skipped", ticks.skipped());
        Map<String, Object> zombie = new LinkedHashMap<>();
        zombie.put("tolerated_overlap_ms", Invariants.TOLERATED_OVERLAP_MS);
        zombie.put("leader_tolerated", inv.leader().tolerated().size());
        zombie.put("exclusive_tolerated", inv.exclusive().tolerated().size());
        zombie.put("leader_rejections", inv.rejections().stream().filter(r -> r.kind().equals("leader")).count());
        zombie.put("exclusive_rejections", inv.exclusive().rejections().size());
        zombie.put("rejections_outside_faults", inv.outsideFaults());
        List<Map<String, Object>> rejections = new ArrayList<>();
        for (Invariants.Rejection r : inv.rejections()) {
            rejections.add(Map.of("kind", r.kind(), "holder", r.holder(), "token", r.token(),
                    "at_ms", r.at() - startedAt));
        }
        zombie.put("rejections", rejections);
        m.put("zombie_window", zombie);
        m.put("reassign_ms_p50", Reassignment.percentile(reassign, 50));
        m.put("reassign_ms_max", Reassignment.percentile(reassign, 100));
        m.put("reassign_samples", reassign.size());
        m.put("seed", seed);
        m.put("duration_s", durationMs / 1000.0);
        m.put("session_timeout_ms", sessionTimeoutMs);
        m.put("agent_starts", agentStarts);
        m.put("settled", outcomes.settled());
        m.put("log_lines_skipped", log.skippedLines());
        Map<String, Integer> byKind = new TreeMap<>();
        List<Map<String, Object>> list = new ArrayList<>();
        for (Fault f : faults) {
            byKind.merge(f.kind().label(), 1, Integer::sum);
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("kind", f.kind().label());
            e.put("target", f.target());
            e.put("at_ms", f.atMs() - startedAt);
            e.put("end_ms", f.endMs() - startedAt);
            e.put("held_tasks", f.heldTasks().size());
            e.put("detail", f.detail());
            list.add(e);
        }
        for (FaultKind k : FaultKind.values()) {
            byKind.putIfAbsent(k.label(), 0);
        }
        m.put("fault_counts", byKind);
        m.put("faults_without_effect", faults.stream()
                .filter(f -> f.detail().contains(FaultInjector.NOT_EXPIRED)).count());
        m.put("faults", list);
        List<String> failures = new ArrayList<>(inv.failures());
        if (!outcomes.settled()) {
            failures.add("the queue did not settle after the faults stopped (tasks still pending or running)");
        }
        boolean held = failures.isEmpty();
        m.put("invariants_held", held);
        m.put("failures", failures);
        return new ChaosReport(m, held, failures);
    }

    public void writeJson(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        JSON.writeValue(file.toFile(), fields);
    }

    /** The summary for the console. */
    public void print(PrintStream out) {
        Map<String, Object> f = fields;
        Map<?, ?> z = (Map<?, ?>) f.get("zombie_window");
        out.printf("ha-chaos: %s s, seed %s, session timeout %s ms, %s faults %s%n", f.get("duration_s"),
                f.get("seed"), f.get("session_timeout_ms"), ((List<?>) f.get("faults")).size(), f.get("fault_counts"));
        out.printf("  faults without effect (a pause or partition the session outlived): %s%n",
                f.get("faults_without_effect"));
        out.printf("  tasks: %s acknowledged, %s succeeded, %s dead, %s lost, %s recorded twice, %s rerun, %s submits "
                        + "refused%n", f.get("acknowledged"), f.get("succeeded"), f.get("dead"), f.get("lost"),
                f.get("recorded_twice"), f.get("reruns"), f.get("submits_refused"));
        out.printf("  schedule: %s ticks enqueued, %s elapsed, %s skipped%n", f.get("ticks_enqueued"),
                f.get("ticks_elapsed"), f.get("ticks_skipped"));
        out.printf("  leader-only: %s steps, %s overlaps, %s epochs reused; exclusive: %s steps, %s overlaps, %s "
                        + "tokens out of order%n", f.get("leader_steps"), f.get("leader_overlaps"),
                f.get("leader_epochs_reused"), f.get("exclusive_steps"), f.get("exclusive_overlaps"),
                f.get("exclusive_tokens_out_of_order"));
        out.printf("  zombie window: %s leader and %s exclusive writes refused by the fence (%s outside a fault)%n",
                z.get("leader_rejections"), z.get("exclusive_rejections"), z.get("rejections_outside_faults"));
        out.printf("  reassignment after an agent's death: p50 %s ms, max %s ms (%s samples)%n",
                f.get("reassign_ms_p50"), f.get("reassign_ms_max"), f.get("reassign_samples"));
        if (invariantsHeld) {
            out.println("ha-chaos: every invariant held");
        } else {
            failures.forEach(x -> out.println("ha-chaos: INVARIANT FAILED: " + x));
        }
    }
}
