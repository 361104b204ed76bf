package io.rocketd.conformance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The Java client conformance suite: the unmodified rocketmq-client 4.9.8 against a NameServer + Broker
 * (rocketd or the Java reference). A tiny runner, no test framework.
 *
 * <pre>
 * Suite -n 127.0.0.1:9876 [-known FILE] [-run-known] [-only REGEX] [-timeout-scale X]
 * </pre>
 *
 * Prints one line per test (PASS, FAIL, SKIP, KNOWN) and ends with "N passed, M failed, K skipped".
 * Tests named in the known-failures file are skipped (printed as SKIP with the owning issue) unless
 * -run-known is given; then they run, a failure prints KNOWN and counts as skipped, a pass prints PASS
 * with a note to take the line out of the file. The exit status is 1 when a test failed.
 */
public final class Suite {
    private Suite() {
    }

    /** One test: a name, a time bound and a body. */
    static final class Test {
        final String name;
        final long timeoutMs;
        final Body body;

        Test(String name, long timeoutMs, Body body) {
            this.name = name;
            this.timeoutMs = timeoutMs;
            this.body = body;
        }
    }

    interface Body {
        void run(Ctx c) throws Exception;
    }

    /** Thrown by a test to be reported as SKIP (e.g. a broker setting the test needs is off). */
    static final class Skip extends RuntimeException {
        Skip(String why) {
            super(why);
        }
    }

    public static void main(String[] args) throws Exception {
        String ns = null;
        String knownFile = null;
        boolean runKnown = false;
        Pattern only = null;
        double scale = 1.0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-n": ns = args[++i]; break;
                case "-known": knownFile = args[++i]; break;
                case "-run-known": runKnown = true; break;
                case "-only": only = Pattern.compile(args[++i]); break;
                case "-timeout-scale": scale = Double.parseDouble(args[++i]); break;
                default:
                    System.err.println("usage: Suite -n namesrvAddr [-known FILE] [-run-known] [-only REGEX] [-timeout-scale X]");
                    System.exit(2);
            }
        }
        if (ns == null) {
            System.err.println("Suite: -n namesrvAddr is required");
            System.exit(2);
        }
        Map<String, String> known = knownFile == null ? new LinkedHashMap<String, String>() : readKnown(knownFile);
        List<Test> tests = Tests.all();
        for (String k : known.keySet()) {
            boolean found = false;
            for (Test t : tests) {
                found |= t.name.equals(k);
            }
            if (!found) {
                System.err.println("Suite: warning: known-failures names unknown test " + k);
            }
        }

        int passed = 0;
        int failed = 0;
        int skipped = 0;
        long suiteStart = System.currentTimeMillis();
        Ctx.Shared shared = new Ctx.Shared(ns);
        try {
            shared.start();
        } catch (Exception e) {
            System.out.println("FAIL setup: " + e);
            System.out.println("0 passed, 1 failed");
            System.exit(1);
        }
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "test");
            t.setDaemon(true);
            return t;
        });
        for (Test t : tests) {
            if (only != null && !only.matcher(t.name).find()) {
                continue;
            }
            String why = known.get(t.name);
            if (why != null && !runKnown) {
                System.out.println("SKIP " + t.name + ": known failure (" + why + ")");
                skipped++;
                continue;
            }
            Ctx c = new Ctx(shared, t.name, scale);
            long start = System.currentTimeMillis();
            long bound = (long) (t.timeoutMs * scale);
            Throwable err = null;
            Future<?> f = pool.submit(() -> {
                t.body.run(c);
                return null;
            });
            try {
                f.get(bound, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                err = new AssertionError("timed out after " + bound + " ms" + c.progress());
            } catch (java.util.concurrent.ExecutionException e) {
                err = e.getCause();
            }
            c.closeAll();
            long ms = System.currentTimeMillis() - start;
            if (err instanceof Skip) {
                System.out.println("SKIP " + t.name + ": " + err.getMessage());
                skipped++;
            } else if (err == null) {
                System.out.println("PASS " + t.name + " (" + ms + " ms)"
                    + (why != null ? " [listed as known failure (" + why + "): remove it from the list]" : ""));
                passed++;
            } else if (why != null) {
                System.out.println("KNOWN " + t.name + " (" + ms + " ms): " + describe(err) + " [" + why + "]");
                skipped++;
            } else {
                System.out.println("FAIL " + t.name + " (" + ms + " ms): " + describe(err));
                failed++;
            }
            System.out.flush();
        }
        shared.close();
        System.err.println("Suite: " + (System.currentTimeMillis() - suiteStart) / 1000 + " s against " + ns);
        System.out.println(passed + " passed, " + failed + " failed" + (skipped > 0 ? ", " + skipped + " skipped" : ""));
        System.out.flush();
        // Client threads (netty, schedulers) of a timed-out test may linger: exit explicitly.
        Runtime.getRuntime().halt(failed > 0 ? 1 : 0);
    }

    static String describe(Throwable e) {
        String s = e instanceof AssertionError ? String.valueOf(e.getMessage()) : e.toString();
        return s.replace('\n', ' ');
    }

    /** Like readKnown, for labels that contain spaces: "label  #issue  reason" split at the first " #". */
    static Map<String, String> readKnownLabels(String file) throws IOException {
        Map<String, String> m = new LinkedHashMap<String, String>();
        for (String line : Files.readAllLines(Paths.get(file), StandardCharsets.UTF_8)) {
            String l = line.trim();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int i = l.indexOf(" #");
            m.put(i < 0 ? l : l.substring(0, i).trim(), i < 0 ? "listed" : l.substring(i + 1).trim());
        }
        return m;
    }

    /** Known-failures file: "testName  #issue  reason..." per line; blank lines and # comments ignored. */
    static Map<String, String> readKnown(String file) throws IOException {
        Map<String, String> m = new LinkedHashMap<String, String>();
        List<String> lines = new ArrayList<String>(Files.readAllLines(Paths.get(file), StandardCharsets.UTF_8));
        for (String line : lines) {
            String l = line.trim();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] parts = l.split("\\s+", 2);
            m.put(parts[0], parts.length > 1 ? parts[1].trim() : "listed");
        }
        return m;
    }
}
