package io.ha.agent.demo;

import com.google.common.base.Preconditions;
import java.util.List;

/**
 * The demo's command line: {@code [--tasks N] [--agents N] [--ci]}.
 *
 * @param tasks  exec tasks to submit (1-10000, default 100)
 * @param agents agent processes to start (2-9, default 3: one is killed, the others finish the work)
 * @param ci     plain output, no ANSI: a progress line every 2 s instead of a live bar
 */
record DemoOptions(int tasks, int agents, boolean ci) {
    static final String USAGE = "usage: ha-demo [--tasks N] [--agents N] [--ci]   (defaults: 100 tasks, 3 agents; "
            + "--ci prints plain progress lines instead of a live bar)\n       ha-demo leader   "
            + "(the leader failover demo)";

    DemoOptions {
        Preconditions.checkArgument(tasks >= 1 && tasks <= 10_000, "--tasks must be 1-10000, got %s", tasks);
        Preconditions.checkArgument(agents >= 2 && agents <= 9, "--agents must be 2-9 (one is killed), got %s",
                agents);
    }

    /** @throws IllegalArgumentException naming the bad argument */
    static DemoOptions parse(List<String> args) {
        int tasks = 100;
        int agents = 3;
        boolean ci = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--ci" -> ci = true;
                case "--tasks" -> tasks = number(arg, args, ++i);
                case "--agents" -> agents = number(arg, args, ++i);
                default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
            }
        }
        return new DemoOptions(tasks, agents, ci);
    }

    private static int number(String option, List<String> args, int i) {
        Preconditions.checkArgument(i < args.size(), "%s needs a number", option);
        String text = args.get(i);
        Preconditions.checkArgument(text.matches("\\d{1,5}"), "%s needs a number, got '%s'", option, text);
        return Integer.parseInt(text);
    }
}
