package dev.fmnist.inference.it;

import java.util.HashMap;
import java.util.Map;

/** KafkaItProfile's settings, serving a model of its own so its snapshots do not meet InferenceServiceIT's. */
public class OipItProfile extends KafkaItProfile {
    public static final String MODEL = "oip-softmax";

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = new HashMap<>(super.getConfigOverrides());
        m.put("fmnist.inference.model-name", MODEL);
        return m;
    }
}
