package io.ha.core.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.google.common.base.Preconditions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * When a schedule fires. Fixed-rate ticks and cron ticks are points in time computed from the definition alone, so
 * every leader computes the same ticks; a fixed-delay tick depends on when the previous run ended.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Trigger.FixedRate.class, name = "fixed-rate"),
    @JsonSubTypes.Type(value = Trigger.FixedDelay.class, name = "fixed-delay"),
    @JsonSubTypes.Type(value = Trigger.CronTrigger.class, name = "cron")})
public sealed interface Trigger {
    /** Smallest period or delay accepted. */
    Duration MIN_INTERVAL = Duration.ofMillis(100);

    /** Every {@code periodMs}, at {@code startMs + k * periodMs}. */
    record FixedRate(long periodMs, long startMs) implements Trigger {
        public FixedRate {
            Preconditions.checkArgument(periodMs >= MIN_INTERVAL.toMillis(),
                    "fixed-rate interval must be at least %s ms, got %s ms", MIN_INTERVAL.toMillis(), periodMs);
        }

        /** The first tick strictly after {@code after} (or the start itself when it is later). */
        public long nextAfter(long after) {
            if (after < startMs) {
                return startMs;
            }
            return startMs + ((after - startMs) / periodMs + 1) * periodMs;
        }

        @Override
        public String describe() {
            return "every " + Duration.ofMillis(periodMs).toString().substring(2).toLowerCase();
        }
    }

    /** {@code delayMs} after the previous run ended. */
    record FixedDelay(long delayMs) implements Trigger {
        public FixedDelay {
            Preconditions.checkArgument(delayMs >= MIN_INTERVAL.toMillis(),
                    "fixed-delay interval must be at least %s ms, got %s ms", MIN_INTERVAL.toMillis(), delayMs);
        }

        @Override
        public String describe() {
            return Duration.ofMillis(delayMs).toString().substring(2).toLowerCase() + " after the previous run";
        }
    }

    /**
     * A cron expression in a time zone: 5 fields (Unix: minute hour day-of-month month day-of-week) or 6-7 fields
     * with seconds (Quartz). Parsed with cron-utils; daylight-saving changes follow the zone's rules.
     */
    record CronTrigger(String expression, String zone) implements Trigger {
        public CronTrigger {
            Preconditions.checkArgument(expression != null && !expression.isBlank(), "cron expression is empty");
            expression = expression.trim();
            try {
                ZoneId.of(zone);
            } catch (Exception e) {
                throw new IllegalArgumentException("unknown time zone '" + zone + "' for cron '" + expression + "'");
            }
            parse(expression);
        }

        static Cron parse(String expression) {
            int fields = expression.split("\\s+").length;
            CronType type = fields == 5 ? CronType.UNIX : CronType.QUARTZ;
            try {
                Cron cron = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(type)).parse(expression);
                cron.validate();
                return cron;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid cron expression '" + expression + "' ("
                        + (fields == 5 ? "unix, 5 fields" : "quartz, 6-7 fields") + "): " + e.getMessage());
            }
        }

        /** The first tick strictly after {@code after}, or empty when the expression never fires again. */
        public Optional<Long> nextAfter(long after) {
            ExecutionTime execution = ExecutionTime.forCron(parse(expression));
            ZonedDateTime from = Instant.ofEpochMilli(after).atZone(ZoneId.of(zone));
            return execution.nextExecution(from).map(t -> t.toInstant().toEpochMilli());
        }

        /** The last tick at or before {@code at}, if any. */
        public Optional<Long> lastAtOrBefore(long at) {
            ExecutionTime execution = ExecutionTime.forCron(parse(expression));
            ZonedDateTime from = Instant.ofEpochMilli(at + 1).atZone(ZoneId.of(zone));
            return execution.lastExecution(from).map(t -> t.toInstant().toEpochMilli());
        }

        @Override
        public String describe() {
            return "cron '" + expression + "' in " + zone;
        }
    }

    /** A fixed-rate trigger starting now (first tick one period from now). */
    static Trigger every(Duration period) {
        Preconditions.checkNotNull(period, "interval must not be null");
        long now = System.currentTimeMillis();
        return new FixedRate(period.toMillis(), now + period.toMillis());
    }

    static Trigger afterPrevious(Duration delay) {
        Preconditions.checkNotNull(delay, "interval must not be null");
        return new FixedDelay(delay.toMillis());
    }

    static Trigger cron(String expression, ZoneId zone) {
        return new CronTrigger(expression, zone.getId());
    }

    /** Human-readable form, for status output. */
    String describe();
}
