package io.ha.agent.view;

import io.ha.core.task.LimitUsage;
import io.ha.core.task.TypeLimit;
import java.util.List;
import java.util.Map;

/** A type's limits and their usage as {@code limits}, {@code limit}, {@code status} and the web console show them. */
public final class LimitViews {
    private LimitViews() {
    }

    /**
     * One type's limits (null: no limit of that kind) and what counts against them: tasks assigned or running, in
     * all and per concurrency key; null when not read (the output of {@code limit set}).
     */
    public record Limit(String type, Integer maxRunning, Integer perKey, Double rate, Integer burst, Integer running,
                        Map<String, Integer> runningByKey) {
        public static Limit of(LimitUsage u) {
            TypeLimit l = u.limit();
            return new Limit(l.type(), l.maxRunning(), l.perKey(), l.rate(), l.burst(), u.running(),
                    u.runningByKey());
        }

        public static Limit of(TypeLimit l) {
            return new Limit(l.type(), l.maxRunning(), l.perKey(), l.rate(), l.burst(), null, null);
        }

        /** The key with the most tasks counted against it, or null. */
        public Map.Entry<String, Integer> busiestKey() {
            return runningByKey == null ? null : runningByKey.entrySet().stream().max(Map.Entry.comparingByValue())
                    .orElse(null);
        }
    }

    public static List<Limit> of(List<LimitUsage> usage) {
        return usage.stream().map(Limit::of).toList();
    }

    /** 5 rather than 5.0; 0.5 as it is. */
    public static String rate(double rate) {
        return rate == Math.rint(rate) && rate < 1e15 ? Long.toString((long) rate) : Double.toString(rate);
    }
}
