package io.ha.core.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Plain-JUnit property checks: {@link #check} runs a check over a number of cases generated from one
 * {@link Random}, inside a single {@code @Test}. The seed is new on every run unless the system property
 * {@value #SEED_PROPERTY} gives one ({@code mvn test -Dtest=SomeTest#method -Dha.test.seed=42}); a failing case
 * fails the test with the seed, the case number and the generated input (shortened, control characters escaped),
 * so that rerunning with that seed generates the same cases again.
 *
 * <p>It does not shrink a failing input, remembers no failing seeds between runs, and reproduces a case only as
 * far as the generator reads nothing but its {@link Gen} (a generator that picks from, say, ids a server made up
 * picks the same positions, not the same ids).
 */
public final class RandomCases {
    /** The system property that fixes the seed of every check, to rerun a failure. */
    public static final String SEED_PROPERTY = "ha.test.seed";
    /** Longest input shown in a failure message, in characters. */
    static final int MAX_SHOWN = 600;

    private RandomCases() {
    }

    /** What is checked for each case; may throw anything, which fails the case. */
    @FunctionalInterface
    public interface Check<T> {
        void accept(T input) throws Exception;
    }

    /**
     * Generates {@code cases} inputs with {@code generate} and checks each; the first case that fails (by an
     * assertion or any exception) fails the call with an {@link AssertionError} naming the seed, the case number
     * and the input, its cause the original failure. Later cases are not run.
     */
    public static <T> void check(int cases, Function<Gen, T> generate, Check<T> check) {
        long seed = seed();
        Gen gen = new Gen(new Random(seed));
        for (int i = 1; i <= cases; i++) {
            T input = generate.apply(gen);
            try {
                check.accept(input);
            } catch (Throwable failure) {
                if (failure instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new AssertionError(String.format("case %d of %d failed (seed %d: rerun with -D%s=%d)%n"
                        + "input: %s%n%s", i, cases, seed, SEED_PROPERTY, seed, shown(input), failure), failure);
            }
        }
    }

    /** The seed {@value #SEED_PROPERTY} gives, else a new random one. */
    static long seed() {
        String given = System.getProperty(SEED_PROPERTY);
        if (given == null || given.isBlank()) {
            return ThreadLocalRandom.current().nextLong();
        }
        try {
            return Long.parseLong(given.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(SEED_PROPERTY + " must be a long, not '" + given + "'", e);
        }
    }

    /** The input as a failure message shows it: byte arrays as numbers, control characters escaped, shortened. */
    static String shown(Object input) {
        String text = input instanceof byte[] b ? Arrays.toString(b) : String.valueOf(input);
        StringBuilder out = new StringBuilder();
        int i = 0;
        for (; i < text.length() && out.length() < MAX_SHOWN; i++) {
            char c = text.charAt(i);
            out.append(c < 0x20 || Character.isSurrogate(c) || (c >= 0x7f && c < 0xa0)
                    ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return i == text.length() ? out.toString() : out + "... (" + text.length() + " characters in all)";
    }

    /**
     * Generators over one {@link Random}. Numbers in a range come out at either end of it more often than
     * uniformly (one in eight each), and so do the first and last of a list of choices and sizes of zero, since
     * bugs gather at the edges; nothing else is biased.
     */
    public static final class Gen {
        /** Characters that break parsers and escapes: NUL and other controls, quotes, separators, DEL. */
        public static final String CONTROL = "\0\t\n\r\u000b\f\u001b\u007f\"'\\=:#!,;{}[]%$ ";
        /** Letters beyond ASCII: accents, Greek, CJK, Arabic digits, a right-to-left mark and a BOM. */
        public static final String UNICODE = "\u00e9\u00fc\u00df\u03a9\u4e2d\u0661\u202e\ufeff\u00a0\u2028";
        private static final String ASCII = "abcxyzABCXYZ0189-_./ ";

        private final Random random;

        Gen(Random random) {
            this.random = random;
        }

        /** The underlying random, for what the helpers do not cover. */
        public Random random() {
            return random;
        }

        /** True with probability {@code p}. */
        public boolean chance(double p) {
            return random.nextDouble() < p;
        }

        /** An index into {@code weights}, each chosen in proportion to its weight (no edge bias). */
        public int weighted(int... weights) {
            int roll = random.nextInt(Arrays.stream(weights).sum());
            for (int i = 0; i < weights.length; i++) {
                roll -= weights[i];
                if (roll < 0) {
                    return i;
                }
            }
            throw new IllegalArgumentException("no positive weight in " + Arrays.toString(weights));
        }

        /** An int in {@code [min, max]}, either end more often. */
        public int ints(int min, int max) {
            return (int) longs(min, max);
        }

        /** A long in {@code [min, max]}, either end more often. */
        public long longs(long min, long max) {
            if (min > max) {
                throw new IllegalArgumentException("empty range " + min + ".." + max);
            }
            int edge = random.nextInt(8);
            if (edge == 0) {
                return min;
            }
            if (edge == 1) {
                return max;
            }
            return max == Long.MAX_VALUE && min == Long.MIN_VALUE ? random.nextLong()
                    : random.nextLong(min, max == Long.MAX_VALUE ? max : max + 1);
        }

        /** A non-negative long, small ones more often. */
        public long naturals() {
            return chance(0.5) ? longs(0, 1000) : longs(0, Long.MAX_VALUE);
        }

        /** One of {@code choices}, the first and the last more often (as with {@link #ints}). */
        public <T> T pick(List<T> choices) {
            return choices.get(ints(0, choices.size() - 1));
        }

        /** One of {@code choices}, the first and the last more often (as with {@link #ints}). */
        @SafeVarargs
        public final <T> T pick(T... choices) {
            return choices[ints(0, choices.length - 1)];
        }

        /** One constant of {@code type}. */
        public <E extends Enum<E>> E pick(Class<E> type) {
            return pick(type.getEnumConstants());
        }

        /** {@code null} with probability {@code p}, else what {@code value} gives. */
        public <T> T orNull(double p, Supplier<T> value) {
            return chance(p) ? null : value.get();
        }

        /** A string of {@code min} to {@code max} characters of {@code alphabet}. */
        public String string(String alphabet, int min, int max) {
            int length = ints(min, max);
            StringBuilder out = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                out.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            return out.toString();
        }

        /**
         * Any text of up to {@code max} chars (one more when it ends in a pair), each from a kind chosen at random:
         * ASCII letters, {@link #CONTROL}, {@link #UNICODE}, any BMP char, a lone surrogate or an emoji pair.
         */
        public String text(int max) {
            int length = ints(0, max);
            StringBuilder out = new StringBuilder(length);
            while (out.length() < length) {
                switch (random.nextInt(6)) {
                    case 0, 1 -> out.append(ASCII.charAt(random.nextInt(ASCII.length())));
                    case 2 -> out.append(CONTROL.charAt(random.nextInt(CONTROL.length())));
                    case 3 -> out.append(UNICODE.charAt(random.nextInt(UNICODE.length())));
                    case 4 -> out.append((char) random.nextInt(Character.MAX_VALUE + 1));
                    default -> out.appendCodePoint(random.nextBoolean() ? 0x1f600 + random.nextInt(64)
                            : (char) (Character.MIN_SURROGATE + random.nextInt(0x800)));
                }
            }
            return out.toString();
        }

        /** Up to {@code max} random bytes. */
        public byte[] bytes(int max) {
            byte[] out = new byte[ints(0, max)];
            random.nextBytes(out);
            return out;
        }

        /** Up to {@code max} values of {@code element}. */
        public <T> List<T> list(int max, Supplier<T> element) {
            int size = ints(0, max);
            List<T> out = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                out.add(element.get());
            }
            return out;
        }

        /** Up to {@code max} distinct values of {@code element} (fewer when it repeats itself). */
        public <T> Set<T> set(int max, Supplier<T> element) {
            return new LinkedHashSet<>(list(max, element));
        }

        /**
         * {@code valid} damaged one way: cut short, one to three bits flipped, a byte overwritten with one of
         * {@code overwrites} (any byte if none given), or a span cut out of it. The result differs from a
         * non-empty {@code valid}, which itself is never changed.
         */
        public byte[] mutate(byte[] valid, byte... overwrites) {
            int n = valid.length;
            byte[] copy = valid.clone();
            if (n == 0) {
                return copy;
            }
            switch (random.nextInt(4)) {
                case 0 -> {
                    return Arrays.copyOf(valid, ints(0, n - 1));
                }
                case 2 -> {
                    int at = random.nextInt(n);
                    copy[at] = overwrites.length > 0 ? overwrites[random.nextInt(overwrites.length)]
                            : (byte) random.nextInt(256);
                    if (copy[at] != valid[at]) {
                        return copy;
                    }
                    // The same byte again: flip bits instead.
                }
                case 3 -> {
                    int from = random.nextInt(n);
                    int to = from + 1 + random.nextInt(n - from);
                    byte[] out = new byte[n - (to - from)];
                    System.arraycopy(valid, 0, out, 0, from);
                    System.arraycopy(valid, to, out, from, n - to);
                    return out;
                }
                default -> {
                }
            }
            int bit = random.nextInt(8);
            List<Integer> positions = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                positions.add(i);
            }
            Collections.shuffle(positions, random);
            for (int p : positions.subList(0, Math.min(n, ints(1, 3)))) {
                copy[p] ^= (byte) (1 << bit);
            }
            return copy;
        }
    }
}
