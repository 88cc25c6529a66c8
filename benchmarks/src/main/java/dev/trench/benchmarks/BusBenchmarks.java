package dev.trench.benchmarks;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link CommandBusBenchmark} with 1 and 2 threads and the GC profiler, then prints one table with throughput,
 * allocation per dispatch, and the ratios the README reports (each against a baseline measured in the same run).
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.trench.benchmarks.BusBenchmarks [--quick]</pre>
 */
public final class BusBenchmarks {
    private static final String[] VARIANTS = {
        "directCall", "bareBus", "oneMiddleware", "fullStack", "axonBare", "axonOneInterceptor",
        "axonFiveInterceptors"};

    private BusBenchmarks() {
    }

    public static void main(String[] args) throws RunnerException {
        boolean quick = args.length > 0 && args[0].equals("--quick");
        Map<String, double[]> opsPerUs = new LinkedHashMap<>();
        Map<String, Double> bytesPerOp = new LinkedHashMap<>();
        for (int threads : new int[] {1, 2}) {
            ChainedOptionsBuilder options = new OptionsBuilder()
                    .include(CommandBusBenchmark.class.getName() + "\\.")
                    .threads(threads)
                    .addProfiler(GCProfiler.class);
            if (quick) {
                options.warmupIterations(2).warmupTime(TimeValue.seconds(1))
                        .measurementIterations(3).measurementTime(TimeValue.seconds(1));
            }
            Collection<RunResult> results = new Runner(options.build()).run();
            for (RunResult r : results) {
                String label = r.getParams().getBenchmark();
                String variant = label.substring(label.lastIndexOf('.') + 1);
                opsPerUs.computeIfAbsent(variant, k -> new double[2])[threads - 1] = r.getPrimaryResult().getScore();
                if (threads == 1) {
                    Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
                    bytesPerOp.put(variant, alloc == null ? Double.NaN : alloc.getScore());
                }
            }
        }
        print(opsPerUs, bytesPerOp);
    }

    private static void print(Map<String, double[]> ops, Map<String, Double> bytes) {
        StringBuilder sb = new StringBuilder();
        sb.append("\n| variant | 1 thread (ops/µs) | ns/op | 2 threads (ops/µs) | 2t / 1t | bytes/op |\n");
        sb.append("|---|---:|---:|---:|---:|---:|\n");
        for (String v : VARIANTS) {
            double[] o = ops.get(v);
            if (o == null) {
                continue;
            }
            sb.append(String.format(Locale.ROOT, "| %s | %.2f | %.0f | %.2f | %.2f | %.0f |%n", v, o[0],
                    1000.0 / o[0], o[1], o[1] / o[0], bytes.getOrDefault(v, Double.NaN)));
        }
        sb.append('\n');
        ratio(sb, ops, "bareBus", "axonBare", 0, "bare bus vs Axon, 1 thread (goal >= 10)");
        ratio(sb, ops, "bareBus", "axonBare", 1, "bare bus vs Axon, 2 threads");
        ratio(sb, ops, "oneMiddleware", "axonOneInterceptor", 0, "one middleware vs Axon + 1 interceptor");
        ratio(sb, ops, "fullStack", "axonFiveInterceptors", 0, "full stack vs Axon + 5 interceptors (goal >= 3)");
        ratio(sb, ops, "fullStack", "axonFiveInterceptors", 1, "full stack vs Axon + 5 interceptors, 2 threads");
        ratio(sb, ops, "bareBus", "directCall", 0, "bare bus vs direct call");
        for (String v : new String[] {"bareBus", "fullStack", "axonBare"}) {
            double[] o = ops.get(v);
            if (o != null) {
                sb.append(String.format(Locale.ROOT, "- %s, 2 threads vs 1 thread: %.2fx%s%n", v, o[1] / o[0],
                        v.equals("axonBare") ? "" : " (goal >= 1.6)"));
            }
        }
        Double direct = bytes.get("directCall");
        Double bare = bytes.get("bareBus");
        if (direct != null && bare != null) {
            sb.append(String.format(Locale.ROOT,
                    "- bytes allocated by the bare bus itself (bareBus - directCall): %.0f (goal < 200)%n",
                    bare - direct));
        }
        System.out.println(sb);
    }

    private static void ratio(StringBuilder sb, Map<String, double[]> ops, String a, String b, int t, String what) {
        double[] x = ops.get(a);
        double[] y = ops.get(b);
        if (x != null && y != null) {
            sb.append(String.format(Locale.ROOT, "- %s: %.1fx%n", what, x[t] / y[t]));
        }
    }
}
