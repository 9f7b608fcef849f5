package io.ha.agent.cli;

import io.ha.core.task.LimitUsage;
import io.ha.core.task.TypeLimit;
import java.util.List;
import java.util.Map;

/** How {@code limits}, {@code limit} and {@code status} show a type's limits and their usage, as JSON and as a table. */
final class LimitViews {
    private LimitViews() {
    }

    /**
     * One type's limits (null: no limit of that kind) and what counts against them: tasks assigned or running, in
     * all and per concurrency key; null when not read (the output of {@code limit set}).
     */
    record Limit(String type, Integer maxRunning, Integer perKey, Double rate, Integer burst, Integer running,
                 Map<String, Integer> runningByKey) {
        static Limit of(LimitUsage u) {
            TypeLimit l = u.limit();
            return new Limit(l.type(), l.maxRunning(), l.perKey(), l.rate(), l.burst(), u.running(),
                    u.runningByKey());
        }

        static Limit of(TypeLimit l) {
            return new Limit(l.type(), l.maxRunning(), l.perKey(), l.rate(), l.burst(), null, null);
        }
    }

    static List<Limit> of(List<LimitUsage> usage) {
        return usage.stream().map(Limit::of).toList();
    }

    /** TYPE, RUNNING (of max), PER KEY (busiest key's count of its limit), RATE and BURST. */
    static Table table(List<Limit> limits) {
        Table t = new Table("TYPE", "RUNNING", "PER KEY", "BUSIEST KEY", "RATE", "BURST").limit(0, 40);
        for (Limit l : limits) {
            Map.Entry<String, Integer> busiest = l.runningByKey() == null ? null : l.runningByKey().entrySet()
                    .stream().max(Map.Entry.comparingByValue()).orElse(null);
            t.row(l.type(), l.running() + " of " + (l.maxRunning() == null ? "no limit" : l.maxRunning()),
                    l.perKey() == null ? "-" : l.perKey(),
                    busiest == null ? "-" : busiest.getKey() + " (" + busiest.getValue() + ")",
                    l.rate() == null ? "-" : rate(l.rate()) + "/s", l.rate() == null ? "-" : l.burst());
        }
        return t;
    }

    /** 5 rather than 5.0; 0.5 as it is. */
    static String rate(double rate) {
        return rate == Math.rint(rate) && rate < 1e15 ? Long.toString((long) rate) : Double.toString(rate);
    }
}
