package io.ha.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tick arithmetic against the cron library, including daylight-saving changes in a named zone. */
class TriggerTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static long at(String isoLocal, ZoneId zone) {
        return java.time.LocalDateTime.parse(isoLocal).atZone(zone).toInstant().toEpochMilli();
    }

    @Test
    void cronNextFireMatchesTheLibrary() {
        Trigger.CronTrigger trigger = new Trigger.CronTrigger("*/15 9-17 * * MON-FRI", "UTC");
        ExecutionTime expected = ExecutionTime.forCron(
                new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX)).parse("*/15 9-17 * * MON-FRI"));
        long from = at("2026-11-27T17:50:00", ZoneId.of("UTC")); // a Friday evening
        long next = trigger.nextAfter(from).orElseThrow();

        assertThat(next).isEqualTo(expected.nextExecution(ZonedDateTime.parse("2026-11-27T17:50:00Z"))
                .orElseThrow().toInstant().toEpochMilli());
        assertThat(next).isEqualTo(at("2026-11-30T09:00:00", ZoneId.of("UTC"))); // Monday 09:00
    }

    @Test
    void dailyCronKeepsLocalTimeAcrossDaylightSavingChanges() {
        Trigger.CronTrigger noon = new Trigger.CronTrigger("0 12 * * *", "Europe/Berlin");
        // Spring forward on 2026-03-29: that day has 23 hours, so noon to noon is 23 h in absolute time.
        long before = noon.nextAfter(at("2026-03-28T00:00:00", BERLIN)).orElseThrow();
        long after = noon.nextAfter(before).orElseThrow();
        assertThat(after - before).isEqualTo(Duration.ofHours(23).toMillis());
        // Fall back on 2026-10-25: 25 hours.
        long autumn = noon.nextAfter(at("2026-10-24T00:00:00", BERLIN)).orElseThrow();
        assertThat(noon.nextAfter(autumn).orElseThrow() - autumn).isEqualTo(Duration.ofHours(25).toMillis());
    }

    @Test
    void cronAtANonExistentLocalTimeIsSkippedThatDay() {
        // 02:30 does not exist in Berlin on 2026-03-29 (clocks jump from 02:00 to 03:00): cron-utils skips that
        // day's tick rather than moving it, and the schedule inherits that behaviour.
        Trigger.CronTrigger trigger = new Trigger.CronTrigger("30 2 * * *", "Europe/Berlin");
        long first = trigger.nextAfter(at("2026-03-28T12:00:00", BERLIN)).orElseThrow();
        long second = trigger.nextAfter(first).orElseThrow();
        assertThat(List.of(first, second)).doesNotHaveDuplicates().isSorted();
        assertThat(first).isEqualTo(at("2026-03-30T02:30:00", BERLIN));
        assertThat(second).isEqualTo(at("2026-03-31T02:30:00", BERLIN));
    }

    @Test
    void quartzExpressionWithSecondsIsAccepted() {
        Trigger.CronTrigger trigger = new Trigger.CronTrigger("*/10 * * * * ?", "UTC");
        long from = at("2026-01-01T00:00:01", ZoneId.of("UTC"));
        assertThat(trigger.nextAfter(from).orElseThrow()).isEqualTo(at("2026-01-01T00:00:10", ZoneId.of("UTC")));
    }

    @Test
    void fixedRateTicksAreAnchoredToTheStart() {
        Trigger.FixedRate rate = new Trigger.FixedRate(1000, 5000);
        assertThat(rate.nextAfter(0)).isEqualTo(5000);
        assertThat(rate.nextAfter(5000)).isEqualTo(6000);
        assertThat(rate.nextAfter(6999)).isEqualTo(7000);
        assertThat(Ticks.due(rate, 5000, 9500, 100)).containsExactly(6000L, 7000L, 8000L, 9000L);
        assertThat(Ticks.due(rate, 5000, 9500, 2)).hasSize(3); // limit + 1: the caller learns it overflowed
        assertThat(Ticks.latestAtOrBefore(rate, 9500)).contains(9000L);
    }
}
