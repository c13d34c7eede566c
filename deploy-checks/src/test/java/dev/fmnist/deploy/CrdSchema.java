package dev.fmnist.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Validation of a custom resource against a CRD's structural OpenAPI v3 schema, as the API server applies it:
 * an object field its schema does not list under {@code properties} is unknown (unless the schema has
 * {@code additionalProperties}, a map, or {@code x-kubernetes-preserve-unknown-fields}); {@code type},
 * {@code required}, {@code enum}, {@code minimum}/{@code maximum}, {@code items} and
 * {@code x-kubernetes-int-or-string} are checked. Used for KEDA's ScaledObject, whose schema is not published
 * as a Java model (Strimzi's is, see StrictSchema).
 */
final class CrdSchema {
    private CrdSchema() {
    }

    /** The problems of {@code value} against {@code schema}, each "path: reason". */
    static List<String> problems(JsonNode value, JsonNode schema) {
        List<String> problems = new ArrayList<>();
        check(value, schema, "", problems);
        return problems;
    }

    private static void check(JsonNode value, JsonNode schema, String path, List<String> problems) {
        String where = path.isEmpty() ? "/" : path;
        if (schema.path("x-kubernetes-int-or-string").asBoolean()) {
            if (!value.isIntegralNumber() && !value.isTextual()) {
                problems.add(where + ": " + describe(value) + " where the schema has an integer or a string");
            }
            return;
        }
        String type = schema.path("type").asText("");
        boolean typeOk = switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            default -> true;
        };
        if (!typeOk) {
            problems.add(where + ": " + describe(value) + " where the schema has " + type);
            return;
        }
        if (schema.has("enum")) {
            boolean listed = false;
            for (JsonNode allowed : schema.path("enum")) {
                listed |= allowed.equals(value);
            }
            if (!listed) {
                problems.add(where + ": " + value + " is not one of " + schema.path("enum"));
            }
        }
        if (value.isNumber() && schema.has("minimum") && value.decimalValue().compareTo(schema.path("minimum").decimalValue()) < 0) {
            problems.add(where + ": " + value + " is below the minimum " + schema.path("minimum"));
        }
        if (value.isNumber() && schema.has("maximum") && value.decimalValue().compareTo(schema.path("maximum").decimalValue()) > 0) {
            problems.add(where + ": " + value + " is above the maximum " + schema.path("maximum"));
        }
        if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                check(value.get(i), schema.path("items"), path + "/" + i, problems);
            }
        }
        if (value.isObject()) {
            for (JsonNode required : schema.path("required")) {
                if (!value.has(required.asText())) {
                    problems.add(path + "/" + required.asText() + ": required");
                }
            }
            JsonNode properties = schema.path("properties");
            JsonNode additional = schema.path("additionalProperties");
            boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean();
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String child = path + "/" + field.getKey();
                if (properties.has(field.getKey())) {
                    check(field.getValue(), properties.path(field.getKey()), child, problems);
                } else if (additional.isObject()) {
                    check(field.getValue(), additional, child, problems);
                } else if (!preserve) {
                    problems.add(child + ": unknown field (not in the schema)");
                }
            }
        }
    }

    private static String describe(JsonNode value) {
        return value.getNodeType().name().toLowerCase() + " " + value;
    }
}
