package dev.fmnist.trainer.service;

import dev.fmnist.contracts.model.ModelFamily;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Overrides of one run ({@code POST /api/v1/training}); a null field keeps the configured value.
 *
 * @param resume false starts from fresh parameters drawn with the seed (versions still continue)
 * @param model  the family to train ({@code "cnn"} or its model name {@code "fmnist-cnn"}); null = the first
 *               configured one
 */
public record TrainingRequest(Integer epochs, Double learningRate, Integer batchSize, Long seed, Boolean resume,
                              ModelFamily model) {
    public static final TrainingRequest NONE = new TrainingRequest(null, null, null, null, null, null);
    private static final Set<String> FIELDS = Set.of("epochs", "learningRate", "batchSize", "seed", "resume", "model");

    /** Overrides of a run of the first configured family. */
    public TrainingRequest(Integer epochs, Double learningRate, Integer batchSize, Long seed, Boolean resume) {
        this(epochs, learningRate, batchSize, seed, resume, null);
    }

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
                errors.add("unknown field '" + key + "' (allowed: epochs, learningRate, batchSize, seed, resume, model)");
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
        ModelFamily model = null;
        v = body.get("model");
        if (v instanceof String name) {
            try {
                model = ModelFamily.parse(name);
            } catch (IllegalArgumentException e) {
                errors.add("model: " + e.getMessage());
            }
        } else if (v != null) {
            errors.add("model must be a string, one of " + families());
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
        return new TrainingRequest(epochs, lr, batchSize, seed, resume, model);
    }

    private static List<String> families() {
        return Arrays.stream(ModelFamily.values()).map(ModelFamily::id).toList();
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
