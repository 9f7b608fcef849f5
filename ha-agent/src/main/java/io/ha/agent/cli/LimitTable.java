package io.ha.agent.cli;

import io.ha.agent.view.LimitViews;
import java.util.List;
import java.util.Map;

/** How {@code limits} and {@code status} print limits and their usage as a table. */
final class LimitTable {
    private LimitTable() {
    }

    /** TYPE, RUNNING (of max), PER KEY (busiest key's count of its limit), RATE and BURST. */
    static Table table(List<LimitViews.Limit> limits) {
        Table t = new Table("TYPE", "RUNNING", "PER KEY", "BUSIEST KEY", "RATE", "BURST").limit(0, 40);
        for (LimitViews.Limit l : limits) {
            Map.Entry<String, Integer> busiest = l.busiestKey();
            t.row(l.type(), l.running() + " of " + (l.maxRunning() == null ? "no limit" : l.maxRunning()),
                    l.perKey() == null ? "-" : l.perKey(),
                    busiest == null ? "-" : busiest.getKey() + " (" + busiest.getValue() + ")",
                    l.rate() == null ? "-" : LimitViews.rate(l.rate()) + "/s", l.rate() == null ? "-" : l.burst());
        }
        return t;
    }
}
