package io.ha.agent.console;

import io.ha.core.task.TaskState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Tasks ended per interval, from the cluster's task counts sampled while the console is being looked at (at most
 * once per {@link #INTERVAL_MS}, for the last {@link #SAMPLES} intervals), drawn as an inline SVG sparkline.
 *
 * <p>Guarantee: no thread of its own and no reads beyond the counts the overview reads anyway. Not guaranteed:
 * intervals when nobody had the console open (the line has a gap there: its points are samples, not a clock), or
 * exact numbers when ended tasks are pruned meanwhile (a drop counts as zero, not as negative).
 */
final class Throughput {
    static final long INTERVAL_MS = 5000;
    static final int SAMPLES = 72;

    /** Ended tasks between two samples: succeeded, and failed or dead. */
    record Point(long at, long succeeded, long failed) {
    }

    private record Sample(long at, long succeeded, long failed) {
    }

    private final Deque<Sample> samples = new ArrayDeque<>();

    synchronized void offer(Map<TaskState, Long> counts, long now) {
        Sample last = samples.peekLast();
        if (last != null && now - last.at() < INTERVAL_MS) {
            return;
        }
        samples.addLast(new Sample(now, counts.getOrDefault(TaskState.SUCCEEDED, 0L),
                counts.getOrDefault(TaskState.FAILED, 0L) + counts.getOrDefault(TaskState.DEAD, 0L)));
        while (samples.size() > SAMPLES + 1) {
            samples.removeFirst();
        }
    }

    synchronized List<Point> points() {
        List<Point> out = new ArrayList<>();
        Sample prev = null;
        for (Sample s : samples) {
            if (prev != null) {
                out.add(new Point(s.at(), Math.max(0, s.succeeded() - prev.succeeded()),
                        Math.max(0, s.failed() - prev.failed())));
            }
            prev = s;
        }
        return out;
    }

    /** The sparkline: succeeded (class ok) and failed or dead (class bad) per interval, with the totals shown. */
    String svg() {
        List<Point> points = points();
        long max = 1;
        long ok = 0;
        long bad = 0;
        for (Point p : points) {
            max = Math.max(max, Math.max(p.succeeded(), p.failed()));
            ok += p.succeeded();
            bad += p.failed();
        }
        int width = 360;
        int height = 60;
        StringBuilder okLine = new StringBuilder();
        StringBuilder badLine = new StringBuilder();
        for (int i = 0; i < points.size(); i++) {
            double x = points.size() == 1 ? width : i * (double) width / (points.size() - 1);
            okLine.append(String.format(java.util.Locale.ROOT, "%.1f,%.1f ", x,
                    height - 2 - points.get(i).succeeded() * (height - 4.0) / max));
            badLine.append(String.format(java.util.Locale.ROOT, "%.1f,%.1f ", x,
                    height - 2 - points.get(i).failed() * (height - 4.0) / max));
        }
        long minutes = Math.max(1, points.size() * INTERVAL_MS / 60_000);
        return "<figure class=\"chart\" id=\"throughput\"><svg viewBox=\"0 0 " + width + " " + height
                + "\" width=\"" + width + "\" height=\"" + height + "\" role=\"img\" aria-label=\"tasks ended per "
                + INTERVAL_MS / 1000 + "s\"><polyline class=\"ok\" fill=\"none\" points=\"" + okLine
                + "\"/><polyline class=\"bad\" fill=\"none\" points=\"" + badLine + "\"/></svg><figcaption>"
                + "<span class=\"ok\">" + ok + " succeeded</span>, <span class=\"bad\">" + bad
                + " failed or dead</span> in the last " + (points.isEmpty() ? "moments (watching since now)"
                : "~" + minutes + " min watched") + "; peak " + max + " per " + INTERVAL_MS / 1000 + "s"
                + "</figcaption></figure>";
    }
}
