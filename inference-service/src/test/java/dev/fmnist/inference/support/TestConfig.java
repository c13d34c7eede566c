package dev.fmnist.inference.support;

import dev.fmnist.inference.config.InferenceConfig;
import java.time.Duration;
import java.util.Optional;

/** The documented defaults of {@link InferenceConfig}, with a small batch limit, for fast tests. */
public class TestConfig implements InferenceConfig {
    private final int maxBatchSize;

    public TestConfig(int maxBatchSize) {
        this.maxBatchSize = maxBatchSize;
    }

    @Override public java.util.List<String> models() { return java.util.List.of("softmax"); }
    @Override public java.util.Optional<String> defaultModel() { return java.util.Optional.empty(); }
    @Override public int keepVersions() { return 5; }
    @Override public int maxBatchSize() { return maxBatchSize; }
    @Override public long maxBodyBytes() { return 10_485_760; }
    @Override public long maxDecodedBytes() { return 134_217_728; }
    @Override public java.util.OptionalLong decodeBudgetBytes() { return java.util.OptionalLong.empty(); }
    @Override public java.util.OptionalLong bodyBudgetBytes() { return java.util.OptionalLong.empty(); }
    @Override public Duration decodeWait() { return Duration.ofMillis(200); }
    @Override public long maxVersionStep() { return 1000; }
    @Override public Duration snapshotPollTimeout() { return Duration.ofMillis(500); }
    @Override public Duration snapshotRetryBackoff() { return Duration.ofSeconds(2); }
    @Override public Duration controlApplyTimeout() { return Duration.ofSeconds(10); }
    @Override public Duration controlCatchUpTimeout() { return Duration.ofSeconds(30); }
    @Override public int deadLetterMaxValueBytes() { return 524_288; }
    @Override public int deadLetterAttempts() { return 4; }
    @Override public Duration deadLetterBackoff() { return Duration.ofMillis(500); }
    @Override public Duration requestStallTimeout() { return Duration.ofMinutes(2); }
    @Override public String serviceName() { return "inference-service"; }
    @Override public String replicaName() { return "inference-test"; }
}
