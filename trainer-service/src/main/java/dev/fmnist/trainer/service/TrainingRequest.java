package dev.fmnist.trainer.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Overrides of one run ({@code POST /api/v1/training}); a null field keeps the configured value.
 *
 * @param resume false starts from a fresh W drawn with the seed (versions still continue)
 */
public record TrainingRequest(Integer epochs, Double learningRate, Integer batchSize, Long seed, Boolean resume) {
    public static final TrainingRequest NONE = new TrainingRequest(null, null, null, null, null);
    private static final Set<String> FIELDS = Set.of("epochs", "learningRate", "batchSize", "seed", "resume");

    /**
     * Reads a JSON object's fields strictly: unknown fields and wrong types are refused (a typo such
     * as "epoch" must not silently start a default run).
     *
     * @throws IllegalArgumentException naming every problem
     */
    public static TrainingRequest parse(Map<String, Object> body) {
        if (body == null || body.isEmpty()) {
            return NONE;
        }
        List<String> errors = new ArrayList<>();
        for (String key : body.keySet()) {
            if (!FIELDS.contains(key)) {
                errors.add("unknown field '" + key + "' (allowed: epochs, learningRate, batchSize, seed, resume)");
            }
        }
        Integer epochs = integer(body, "epochs", errors);
        Long seed = whole(body, "seed", errors);
        Integer batchSize = integer(body, "batchSize", errors);
        Double lr = null;
        Object v = body.get("learningRate");
        if (v instanceof Number n) {
            lr = n.doubleValue();
        } else if (v != null) {
            errors.add("learningRate must be a number");
        }
        Boolean resume = null;
        v = body.get("resume");
        if (v instanceof Boolean b) {
            resume = b;
        } else if (v != null) {
            errors.add("resume must be true or false");
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
        return new TrainingRequest(epochs, lr, batchSize, seed, resume);
    }

    private static Integer integer(Map<String, Object> body, String field, List<String> errors) {
        Long value = whole(body, field, errors);
        if (value != null && (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE)) {
            errors.add(field + " is out of range");
            return null;
        }
        return value == null ? null : value.intValue();
    }

    private static Long whole(Map<String, Object> body, String field, List<String> errors) {
        Object v = body.get(field);
        if (v == null) {
            return null;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        errors.add(field + " must be a whole number");
        return null;
    }
}
