package io.ha.process;

import java.util.concurrent.TimeUnit;

/**
 * The child the tests start: runs its arguments as steps, in order. {@code out:TEXT}, {@code err:TEXT},
 * {@code lines:N} (N numbered lines), {@code env:NAME}, {@code cwd}, {@code sleep:MS}, {@code ticks} (a numbered line
 * every 50 ms, forever), {@code spawn} (starts {@code sleep 60} and prints {@code CHILD <pid>}), {@code slow-stop:MS}
 * (a shutdown hook that takes that long), {@code exit:CODE}.
 */
public final class Fixture {
    private Fixture() {
    }

    public static void main(String[] args) throws Exception {
        for (String step : args) {
            String[] kv = step.split(":", 2);
            String value = kv.length > 1 ? kv[1] : "";
            switch (kv[0]) {
                case "out" -> System.out.println(value);
                case "err" -> System.err.println(value);
                case "lines" -> {
                    for (int i = 1; i <= Integer.parseInt(value); i++) {
                        System.out.println("line " + i);
                    }
                }
                case "env" -> System.out.println(value + "=" + System.getenv(value));
                case "cwd" -> System.out.println("cwd=" + System.getProperty("user.dir"));
                case "sleep" -> Thread.sleep(Long.parseLong(value));
                case "ticks" -> {
                    for (long i = 0; ; i++) {
                        System.out.println("tick " + i);
                        Thread.sleep(50);
                    }
                }
                case "spawn" -> {
                    Process child = new ProcessBuilder("sleep", "60").start();
                    System.out.println("CHILD " + child.pid());
                }
                case "slow-stop" -> Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        TimeUnit.MILLISECONDS.sleep(Long.parseLong(value));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
                case "exit" -> {
                    System.out.flush();
                    System.exit(Integer.parseInt(value));
                }
                default -> throw new IllegalArgumentException("unknown step " + step);
            }
        }
        System.out.flush();
    }
}
