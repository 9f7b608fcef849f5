package io.ha.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The sample as bin/ha-sample spring runs it: two Spring Boot JVMs, the leader stopped, the report moves. */
class SpringSampleTest {
    @Test
    void theReportMovesToTheOtherInstanceWhenTheLeaderStops() throws Exception {
        assertThat(SpringSample.run(null)).isZero();
    }
}
