package dev.fmnist.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.broker.secure.PipelineAcls;
import dev.fmnist.broker.secure.PipelinePrincipal;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.kafka.common.acl.AclBinding;
import org.junit.jupiter.api.Test;

/**
 * Credentials in the rendered manifests: every one comes from a Secret, none sits in a ConfigMap or a
 * literal env value; the Strimzi overlay connects every service over TLS with its own SCRAM user whose
 * ACLs are exactly kafka-broker's {@link PipelineAcls}.
 */
class KafkaSecurityManifestsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Env names that carry a credential (tokens, keys, passwords, JAAS lines). */
    private static final Pattern CREDENTIAL_NAME = Pattern.compile("TOKEN|PASSWORD|JAAS|SIGNING_KEY|SECRET|PRIVATE");
    /** Values that are a credential whatever their key is called. */
    private static final Pattern CREDENTIAL_VALUE = Pattern.compile("(?i)password=|LoginModule|BEGIN [A-Z ]*PRIVATE KEY");
    private static final Map<String, PipelinePrincipal> SERVICES = Map.of(
            "ingest-service", PipelinePrincipal.INGEST, "trainer-service", PipelinePrincipal.TRAINER,
            "inference-service", PipelinePrincipal.INFERENCE, "console", PipelinePrincipal.CONSOLE);

    @Test
    void everyCredentialInEveryRenderingComesFromASecretAndNoConfigMapHoldsOne() {
        for (String dir : List.of("k8s/base", "k8s/overlays/local", "k8s/overlays/strimzi")) {
            List<HasMetadata> objects = KustomizeRenderTest.render(dir);
            int fromSecrets = 0;
            for (HasMetadata o : objects) {
                for (EnvVar env : env(o)) {
                    String where = dir + " " + o.getKind() + "/" + o.getMetadata().getName() + " env " + env.getName();
                    if (CREDENTIAL_NAME.matcher(env.getName()).find()) {
                        assertTrue(env.getValue() == null, where + " is a literal value");
                        assertNotNull(env.getValueFrom(), where + " has no source");
                        assertNotNull(env.getValueFrom().getSecretKeyRef(), where + " is not read from a Secret");
                        assertFalse(Boolean.TRUE.equals(env.getValueFrom().getSecretKeyRef().getOptional()),
                                where + " is optional: a missing Secret would start the pod without it");
                        fromSecrets++;
                    } else if (env.getValue() != null) {
                        assertFalse(CREDENTIAL_VALUE.matcher(env.getValue()).find(), where + " holds a credential");
                    }
                }
                if (o instanceof ConfigMap cm && cm.getData() != null) {
                    cm.getData().forEach((k, v) -> {
                        String where = dir + " ConfigMap/" + cm.getMetadata().getName() + " key " + k;
                        assertFalse(CREDENTIAL_NAME.matcher(k.toUpperCase(Locale.ROOT).replace('.', '_')).find(), where);
                        assertFalse(CREDENTIAL_VALUE.matcher(v).find(), where + " holds a credential value");
                    });
                }
            }
            assertTrue(fromSecrets >= 5, dir + ": the tokens and keys are read from Secrets (" + fromSecrets + ")");
        }
    }

    @Test
    void strimziServicesConnectOverTlsWithTheirOwnScramUserAndTheClusterCa() {
        List<HasMetadata> objects = KustomizeRenderTest.render("k8s/overlays/strimzi");
        JsonNode kafka = tree(objects, "Kafka", "fmnist");
        JsonNode listeners = kafka.path("spec").path("kafka").path("listeners");
        assertEquals(1, listeners.size(), "one listener, no plaintext one: " + listeners);
        assertTrue(listeners.get(0).path("tls").asBoolean(), "TLS");
        assertEquals("scram-sha-512", listeners.get(0).path("authentication").path("type").asText());
        assertEquals("simple", kafka.path("spec").path("kafka").path("authorization").path("type").asText());
        assertTrue(kafka.path("spec").path("entityOperator").has("userOperator"), "the User Operator makes the users' Secrets");

        for (var e : SERVICES.entrySet()) {
            Deployment d = objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                    .filter(x -> x.getMetadata().getName().equals(e.getKey())).findFirst()
                    .orElseThrow(() -> new AssertionError("no Deployment " + e.getKey()));
            List<EnvVar> env = d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
            var jaas = secretRef(env, "KAFKA_SASL_JAAS_CONFIG", e.getKey());
            assertEquals(e.getValue().userName(), jaas.getName(), e.getKey() + " reads its own KafkaUser's Secret");
            assertEquals("sasl.jaas.config", jaas.getKey());
            var ca = secretRef(env, "KAFKA_SSL_TRUSTSTORE_CERTIFICATES", e.getKey());
            assertEquals("fmnist-cluster-ca-cert", ca.getName());
            assertEquals("ca.crt", ca.getKey());
        }
    }

    @Test
    void strimziKafkaUsersGrantExactlyThePipelineAcls() {
        List<HasMetadata> objects = KustomizeRenderTest.render("k8s/overlays/strimzi");
        // the operator principal has no KafkaUser: the Topic Operator creates and configures the topics
        for (PipelinePrincipal p : List.of(PipelinePrincipal.INGEST, PipelinePrincipal.TRAINER, PipelinePrincipal.INFERENCE,
                PipelinePrincipal.CONSOLE, PipelinePrincipal.CLIENT)) {
            JsonNode user = tree(objects, "KafkaUser", p.userName());
            assertEquals("fmnist", user.path("metadata").path("labels").path("strimzi.io/cluster").asText());
            assertEquals("scram-sha-512", user.path("spec").path("authentication").path("type").asText());
            assertEquals("simple", user.path("spec").path("authorization").path("type").asText());
            Set<String> granted = new TreeSet<>();
            for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
                assertEquals("*", acl.path("host").asText("*"));
                assertEquals("allow", acl.path("type").asText("allow").toLowerCase(Locale.ROOT));
                JsonNode r = acl.path("resource");
                for (JsonNode op : acl.path("operations")) {
                    granted.add(r.path("type").asText() + " " + r.path("patternType").asText("literal") + " "
                            + r.path("name").asText() + " " + op.asText());
                }
            }
            Set<String> planned = new TreeSet<>();
            for (AclBinding b : PipelineAcls.of(p)) {
                planned.add(strimziType(b.pattern().resourceType().name()) + " "
                        + (b.pattern().patternType().name().equals("PREFIXED") ? "prefix" : "literal") + " "
                        + b.pattern().name() + " " + camel(b.entry().operation().name()));
            }
            assertEquals(planned, granted, "KafkaUser " + p.userName());
        }
        long users = objects.stream().filter(o -> o.getKind().equals("KafkaUser")).count();
        assertEquals(5, users, "one KafkaUser per service and the outside client");
    }

    private static io.fabric8.kubernetes.api.model.SecretKeySelector secretRef(List<EnvVar> env, String name, String where) {
        EnvVar v = env.stream().filter(x -> x.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(where + " has no env " + name));
        assertNotNull(v.getValueFrom(), where + " " + name);
        assertNotNull(v.getValueFrom().getSecretKeyRef(), where + " " + name + " from a Secret");
        return v.getValueFrom().getSecretKeyRef();
    }

    /** TOPIC -> topic, TRANSACTIONAL_ID -> transactionalId: Strimzi's spelling. */
    private static String strimziType(String kafkaName) {
        String c = camel(kafkaName);
        return Character.toLowerCase(c.charAt(0)) + c.substring(1);
    }

    /** DESCRIBE_CONFIGS -> DescribeConfigs. */
    private static String camel(String upper) {
        StringBuilder out = new StringBuilder();
        for (String part : upper.split("_")) {
            out.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
        }
        return out.toString();
    }

    private static JsonNode tree(List<HasMetadata> objects, String kind, String name) {
        return objects.stream().filter(o -> o.getKind().equals(kind) && o.getMetadata().getName().equals(name))
                .findFirst().map(o -> (JsonNode) JSON.valueToTree(o))
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    private static List<EnvVar> env(HasMetadata o) {
        io.fabric8.kubernetes.api.model.PodSpec pod = o instanceof Deployment d ? d.getSpec().getTemplate().getSpec()
                : o instanceof StatefulSet s ? s.getSpec().getTemplate().getSpec()
                : o instanceof Job j ? j.getSpec().getTemplate().getSpec() : null;
        if (pod == null) {
            return List.of();
        }
        return pod.getContainers().stream().flatMap(c -> c.getEnv().stream()).toList();
    }
}
