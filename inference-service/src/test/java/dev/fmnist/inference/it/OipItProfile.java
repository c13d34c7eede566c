package dev.fmnist.inference.it;

import java.util.HashMap;
import java.util.Map;

/**
 * KafkaItProfile's settings under a profile of its own (a restart with a fresh broker), so its snapshots do
 * not meet InferenceServiceIT's, serving the softmax family (its snapshots are softmax fits).
 */
public class OipItProfile extends KafkaItProfile {
    public static final String MODEL = "fmnist-softmax";

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = new HashMap<>(super.getConfigOverrides());
        m.put("fmnist.inference.models", "softmax");
        return m;
    }
}
