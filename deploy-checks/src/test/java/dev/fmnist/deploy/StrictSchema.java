package dev.fmnist.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Strict validation of a manifest against the Kubernetes API's types, as the API server's strict field validation
 * does: the fabric8 kubernetes-model 7.5.2 classes are generated from the Kubernetes 1.34 OpenAPI document (they
 * carry the 1.34 fields {@code PodSpec.hostnameOverride} and {@code Container.restartPolicyRules}). A field the
 * schema does not declare lands in a model object's {@code additionalProperties} (fabric8 keeps unknown fields
 * there, and values of a mismatched type too), so any non-empty one is an unknown field. A value Jackson coerced
 * (the string "2" into an integer field, a number into a string field) shows when the typed object is written
 * back: it differs from the document at that path. Strimzi's custom resources are read into the classes of
 * io.strimzi:api 0.48.0, from which Strimzi generates its CRDs' schemas, and checked the same way (they keep
 * unknown fields in additionalProperties too). KEDA's kinds (keda.sh) are checked by {@link CrdSchema} against
 * the subset of KEDA's CRD schema in {@code src/test/resources/keda/<Kind>.schema.yaml} (written from KEDA's
 * reference docs: KEDA publishes no Java model and its CRD file is not on Maven Central). Prometheus Operator
 * kinds are not checked.
 */
final class StrictSchema {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Class<?>> STRIMZI = Map.of(
            "Kafka", io.strimzi.api.kafka.model.kafka.Kafka.class,
            "KafkaNodePool", io.strimzi.api.kafka.model.nodepool.KafkaNodePool.class,
            "KafkaTopic", io.strimzi.api.kafka.model.topic.KafkaTopic.class,
            "KafkaUser", io.strimzi.api.kafka.model.user.KafkaUser.class);

    private static final Map<String, JsonNode> KEDA_SCHEMAS = new java.util.concurrent.ConcurrentHashMap<>();

    private StrictSchema() {
    }

    private static JsonNode readYaml(java.net.URL url) {
        try {
            return new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(url);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + url, e);
        }
    }

    /** The problems of one document, each "path: reason"; empty when it matches the API's schema. */
    static List<String> problems(JsonNode document) {
        List<String> problems = new ArrayList<>();
        if (document.path("apiVersion").asText().startsWith("keda.sh/")) {
            String kind = document.path("kind").asText("?");
            var schema = StrictSchema.class.getResource("/keda/" + kind + ".schema.yaml");
            if (schema == null) {
                problems.add("/: " + kind + " is not a KEDA kind checked here");
                return problems;
            }
            return CrdSchema.problems(document, KEDA_SCHEMAS.computeIfAbsent(kind, k -> readYaml(schema)));
        }
        if (document.path("apiVersion").asText().startsWith("kafka.strimzi.io/")) {
            Class<?> type = STRIMZI.get(document.path("kind").asText());
            if (type == null) {
                problems.add("/: " + document.path("kind").asText("?") + " is not a Strimzi kind checked here");
                return problems;
            }
            Object value = JSON.convertValue(document, type);
            unknownFields(value, "", problems);
            typeChanges(document, JSON.valueToTree(value), "", problems);
            // A getter reached twice (a bridge method of a covariant override) reports once.
            return List.copyOf(new LinkedHashSet<>(problems));
        }
        Object value = SERIALIZATION.unmarshal(document.toString());
        if (!(value instanceof HasMetadata resource) || resource instanceof GenericKubernetesResource) {
            problems.add("/: " + document.path("apiVersion").asText("?") + "/" + document.path("kind").asText("?")
                    + " is not a kind of the Kubernetes API");
            return problems;
        }
        unknownFields(value, "", problems);
        JsonNode written = JSON.valueToTree(value);
        typeChanges(document, written, "", problems);
        return problems;
    }

    private static void unknownFields(Object object, String path, List<String> problems) {
        if (object == null) {
            return;
        }
        if (object instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "/" + i++, problems);
            }
            return;
        }
        if (object instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                unknownFields(entry.getValue(), path + "/" + entry.getKey(), problems);
            }
            return;
        }
        String type = object.getClass().getName();
        boolean model = object instanceof KubernetesResource && type.startsWith("io.fabric8.")
                || type.startsWith("io.strimzi.") && !object.getClass().isEnum();
        if (!model) {
            return;
        }
        for (Method getter : object.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object child;
            try {
                child = getter.invoke(object);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(getter + " of " + object.getClass(), e);
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    for (Object key : extra.keySet()) {
                        problems.add(path + "/" + key + ": unknown field (not in the schema of "
                                + object.getClass().getSimpleName() + ")");
                    }
                }
                continue;
            }
            String name = getter.getName().substring(3);
            unknownFields(child, path + "/" + Character.toLowerCase(name.charAt(0)) + name.substring(1), problems);
        }
    }

    /** Where the written-back object has another JSON type than the document (a coerced value). */
    private static void typeChanges(JsonNode original, JsonNode written, String path, List<String> problems) {
        if (written == null || written.isNull() || original.isNull()) {
            return;
        }
        if (original.isObject() && written.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = original.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                typeChanges(field.getValue(), written.get(field.getKey()), path + "/" + field.getKey(), problems);
            }
        } else if (original.isArray() && written.isArray()) {
            for (int i = 0; i < original.size(); i++) {
                typeChanges(original.get(i), written.get(i), path + "/" + i, problems);
            }
        } else if (original.getNodeType() != written.getNodeType() && !quantityWrittenAsText(original, written, path)) {
            problems.add(path + ": " + original.getNodeType().name().toLowerCase() + " " + original
                    + " where the schema has a " + written.getNodeType().name().toLowerCase());
        }
    }

    /** A resource quantity may be given as a number (cpu: 2) and is written as its text ("2"): not a type error. */
    private static boolean quantityWrittenAsText(JsonNode original, JsonNode written, String path) {
        return original.isNumber() && written.isTextual() && written.asText().equals(original.asText())
                && path.matches(".*/(limits|requests|hard|capacity|sizeLimit)(/[^/]+)?$");
    }
}
