package dev.fmnist.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JVM memory policy of a local run, one entry per process: the heap sized for the process's work
 * (a small model and the training pixels) rather than for the machine, and the same caps on the
 * JVM's other memory for everyone. The images apply the same policy with the heap as a percentage of
 * the container's memory limit ({@code -XX:MaxRAMPercentage} in each Dockerfile's {@code JAVA_OPTS},
 * the limit in the Kubernetes manifests); the table in docs/operations.md ("JVM memory") is the one
 * statement of it, and {@code JvmOptionsTest} and deploy-checks' {@code JvmMemoryPolicyTest} hold the
 * launcher, the images and the manifests to that table.
 */
final class JvmOptions {
    /**
     * Every JVM starts with a small heap and grows it only as its live data needs (the default start is
     * a 64th of the host's memory). Caps every JVM gets: class metadata, JIT code, thread stacks (no deep
     * recursion anywhere) and direct buffers (the defaults are unlimited or the heap size); exit rather
     * than limp on when a heap is too small; hand freed native memory back to the system, which glibc
     * otherwise keeps resident (libtorch's per-step buffers among long-lived allocations). The measured
     * sizes behind each cap are in docs/operations.md ("JVM memory").
     */
    static final List<String> COMMON = List.of("-Xms16m", "-XX:MaxMetaspaceSize=128m", "-XX:ReservedCodeCacheSize=64m",
            "-Xss512k", "-XX:MaxDirectMemorySize=64m", "-XX:+ExitOnOutOfMemoryError", "-XX:TrimNativeHeapInterval=5000");

    /**
     * glibc's malloc keeps up to 8 arenas per core for native threads (libtorch, Kafka's compression,
     * the JIT); two bound the native heap's fragmentation.
     */
    static final Map<String, String> ENVIRONMENT = Map.of("MALLOC_ARENA_MAX", "2");

    /** The flag of the native-heap trim, known to JDK 17.0.9 and later 17 updates, and to JDK 21 on. */
    static final String TRIM_NATIVE_HEAP = "-XX:TrimNativeHeapInterval=";

    private JvmOptions() {
    }

    /**
     * Whether a JDK knows {@value #TRIM_NATIVE_HEAP} (a backport to 17.0.9; absent from 18-20): the services
     * run on the launcher's own JDK, and an older one would refuse to start them over an unknown option.
     */
    static boolean trimsNativeHeap(Runtime.Version jdk) {
        return jdk.feature() >= 21 || (jdk.feature() == 17 && jdk.update() >= 9);
    }

    /** Heap of each process, in MB (docs/operations.md, "JVM memory"). */
    static int heapMb(Component c) {
        return switch (c) {
            case KAFKA, KAFKA_2, KAFKA_3 -> 160;     // the broker's request buffers and a few MB of metadata; data stays in files
            case INFERENCE -> 128; // up to 5 retained versions per model (softmax 31 KB, cnn 247 KB, mlp 815 KB each, twice: snapshot and compiled), request bodies, the PNG decode budget (a quarter of the heap)
            case TRAINER -> 192;   // 47 MB of uint8 pixels, the 7.8 MB test split, 1 MB fetches (one partition)
            case INGEST -> 256;    // the decoded dataset (55 MB) and its encoded batches (55 MB) while published, producer buffers
            case CONSOLE -> 64;    // the test split (7.8 MB) and 50 snapshots (1.6 MB) at most
        };
    }

    /**
     * Serial collection for the small heaps (no collector threads, the least overhead); inference keeps
     * the parallel young collections its latency tail was measured with (inference benchmark).
     */
    static String collector(Component c) {
        return c == Component.INFERENCE ? "-XX:+UseParallelGC" : "-XX:+UseSerialGC";
    }

    /**
     * The flags of the supervisor that {@code up -d} leaves behind: it polls a few HTTP endpoints and waits on its
     * children, so a small heap, the client compiler only and small caps (its resident size is counted in the
     * pipeline's total by the soak benchmark).
     */
    static List<String> supervisor() {
        List<String> flags = new ArrayList<>(List.of("-Xms8m", "-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-XX:CICompilerCount=1", "-XX:ReservedCodeCacheSize=16m", "-XX:MaxMetaspaceSize=64m", "-Xss512k",
                "-XX:MaxDirectMemorySize=8m", "-XX:+ExitOnOutOfMemoryError"));
        if (trimsNativeHeap(Runtime.version())) {
            flags.add(TRIM_NATIVE_HEAP + "5000");
        }
        return flags;
    }

    /** The JVM flags of a process, before its own -D properties. */
    static List<String> of(Component c) {
        List<String> flags = new ArrayList<>();
        flags.add("-Xmx" + heapMb(c) + "m");
        flags.add(collector(c));
        boolean trim = trimsNativeHeap(Runtime.version());
        COMMON.stream().filter(f -> trim || !f.startsWith(TRIM_NATIVE_HEAP)).forEach(flags::add);
        return flags;
    }
}
