package io.ha.agent.supervisor;

import com.google.common.base.Preconditions;
import com.google.common.base.Ticker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * When to restart a failed agent: exponential backoff with a ceiling, forgotten once the agent stayed up long enough,
 * and a crash-loop limit (more than {@code maxRestarts} restarts within {@code window} means giving up). Pure logic
 * over a {@link Ticker}, so it is tested with a fake clock; not thread-safe (the supervisor loop owns it).
 *
 * <p>Guarantee: at most {@code maxRestarts} restarts are granted within any {@code window}; the delay before a
 * restart never exceeds {@code maxBackoff}. Not decided here: whether an exit counts as a failure (the supervisor
 * treats exit code 0 as a clean stop and never asks).
 */
public final class RestartPolicy {
    /**
     * The policy's settings, validated.
     *
     * @param initialBackoff delay before the first restart after a stable run
     * @param maxBackoff     ceiling of the doubling delay
     * @param stableAfter    an agent that ran this long before failing starts again from {@code initialBackoff}
     * @param maxRestarts    restarts allowed within {@code window}; one more failure means giving up (0: never restart)
     * @param window         the sliding window of the crash-loop limit
     */
    public record Settings(Duration initialBackoff, Duration maxBackoff, Duration stableAfter, int maxRestarts,
                           Duration window) {
        public static final Settings DEFAULTS = new Settings(Duration.ofSeconds(1), Duration.ofSeconds(60),
                Duration.ofSeconds(60), 5, Duration.ofMinutes(5));

        public Settings {
            Preconditions.checkArgument(initialBackoff != null && initialBackoff.toMillis() > 0,
                    "initial backoff must be positive, got %s", initialBackoff);
            Preconditions.checkArgument(maxBackoff != null && maxBackoff.compareTo(initialBackoff) >= 0,
                    "max backoff (%s) must not be below the initial backoff (%s)", maxBackoff, initialBackoff);
            Preconditions.checkArgument(stableAfter != null && stableAfter.toMillis() > 0,
                    "stable-after must be positive, got %s", stableAfter);
            Preconditions.checkArgument(maxRestarts >= 0, "max restarts must not be negative, got %s", maxRestarts);
            Preconditions.checkArgument(window != null && window.toMillis() > 0,
                    "restart window must be positive, got %s", window);
        }
    }

    /** What to do about a failed agent. */
    public sealed interface Decision permits Restart, GiveUp {
    }

    /**
     * Start the agent again after {@code delay}.
     *
     * @param delay          how long to wait first
     * @param restartsInWindow restarts granted within the window, this one included
     */
    public record Restart(Duration delay, int restartsInWindow) implements Decision {
    }

    /**
     * Stop trying: the agent is in a crash loop.
     *
     * @param reason for the operator, naming the limit
     */
    public record GiveUp(String reason) implements Decision {
    }

    private final Settings settings;
    private final Ticker ticker;
    private final Deque<Long> restarts = new ArrayDeque<>();
    private long startedAt;
    private int consecutiveFailures;

    public RestartPolicy(Settings settings, Ticker ticker) {
        this.settings = Preconditions.checkNotNull(settings, "settings");
        this.ticker = Preconditions.checkNotNull(ticker, "ticker");
        this.startedAt = ticker.read();
    }

    /** The settings this policy applies. */
    public Settings settings() {
        return settings;
    }

    /** The agent was (re)started now; its uptime counts from here. */
    public void started() {
        startedAt = ticker.read();
    }

    /** The agent failed now (abnormal exit or stalled heartbeat): restart after a delay, or give up. */
    public Decision failed() {
        long now = ticker.read();
        if (now - startedAt >= settings.stableAfter().toNanos()) {
            consecutiveFailures = 0;
        }
        long windowNanos = settings.window().toNanos();
        while (!restarts.isEmpty() && now - restarts.peekFirst() >= windowNanos) {
            restarts.removeFirst();
        }
        if (restarts.size() >= settings.maxRestarts()) {
            return new GiveUp("the agent failed " + (restarts.size() + 1) + " times within "
                    + human(settings.window()) + " (limit: " + settings.maxRestarts() + " restarts per "
                    + human(settings.window()) + "); it is crash-looping");
        }
        restarts.addLast(now);
        Duration delay = backoff(consecutiveFailures);
        consecutiveFailures++;
        return new Restart(delay, restarts.size());
    }

    private Duration backoff(int failures) {
        long max = settings.maxBackoff().toMillis();
        long delay = settings.initialBackoff().toMillis();
        // Doubling stops at the ceiling, so a long crash history can neither overflow nor loop for long.
        for (int i = 0; i < failures && delay < max; i++) {
            delay = delay > max / 2 ? max : delay * 2;
        }
        return Duration.ofMillis(Math.min(delay, max));
    }

    /** {@code 90 s}, {@code 5 min}, {@code 1.5 s}: durations as an operator reads them. */
    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms % 60_000 == 0 && ms >= 60_000) {
            return ms / 60_000 + " min";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + " s";
        }
        return ms < 1000 ? ms + " ms" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
