package dev.fmnist.broker.secure;

import static org.apache.kafka.common.acl.AclOperation.ALTER_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;

import dev.fmnist.contracts.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The least-privilege ACL plan of the pipeline, the one place that says who may do what on the
 * broker ({@code allow.everyone.if.no.acl.found=false}: whatever is not granted here is denied).
 * Only ALLOW entries; topics are named literally from {@link Topics}, so a new topic is denied to
 * everyone until it is added here.
 *
 * <ul>
 * <li>Every service runs {@link Topics#ensure} at start-up, which lists the topics and creates the
 * missing ones; a service that could not see a topic would try to create it and fail. So the three
 * services may DESCRIBE (metadata and offsets, no data) every pipeline topic, and none may CREATE:
 * the operator creates the topics before the services start.</li>
 * <li>Idempotent producers need no IDEMPOTENT_WRITE on the cluster: since Kafka 3.0 (KIP-679) WRITE on
 * a topic is enough.</li>
 * <li>Consumers that assign partitions themselves (ingest, trainer, inference's snapshot reader)
 * have no group, so they get no group ACL.</li>
 * </ul>
 */
public final class PipelineAcls {
    /**
     * The trainer's transactional ids (issue 11, item 4: {@code transactional.id} made from the model
     * name, so a second trainer of a model fences the first).
     */
    public static final String TRAINER_TRANSACTIONAL_ID_PREFIX = "fmnist-trainer-";
    /** inference-service's consumer group on {@link Topics#REQUESTS}. */
    public static final String INFERENCE_GROUP = "fmnist-inference";
    /** Consumer group of ingest's fmnist.uploads channel. */
    public static final String INGEST_UPLOADS_GROUP = "fmnist-ingest-uploads";
    /** Groups an outside scoring client may use to read {@link Topics#PREDICTIONS}. */
    public static final String CLIENT_GROUP_PREFIX = "fmnist-client";

    private PipelineAcls() {
    }

    /** Every binding of the plan. */
    public static List<AclBinding> all() {
        List<AclBinding> out = new ArrayList<>();
        for (PipelinePrincipal p : PipelinePrincipal.values()) {
            out.addAll(of(p));
        }
        return out;
    }

    /** The bindings of one principal. */
    public static List<AclBinding> of(PipelinePrincipal principal) {
        Plan plan = new Plan(principal);
        switch (principal) {
            case INGEST -> {
                plan.describeAllTopics();
                plan.topic(Topics.TRAIN, WRITE, READ); // READ: it reads the keys to skip batches published before
                plan.topic(Topics.TEST, WRITE, READ);
                plan.topic(Topics.UPLOADS, READ); // images streamed in by any client
                plan.literal(ResourceType.GROUP, INGEST_UPLOADS_GROUP, READ);
                plan.topic(Topics.DEAD_LETTER, WRITE); // unusable uploads
            }
            case TRAINER -> {
                plan.describeAllTopics();
                plan.topic(Topics.TRAIN, READ);
                plan.topic(Topics.TEST, READ);
                plan.topic(Topics.SNAPSHOTS, READ, WRITE); // READ: resume from the model's last snapshot
                plan.topic(Topics.DEAD_LETTER, READ, WRITE); // READ: it skips records it dead-lettered before
                plan.prefixed(ResourceType.TRANSACTIONAL_ID, TRAINER_TRANSACTIONAL_ID_PREFIX, WRITE, DESCRIBE);
            }
            case INFERENCE -> {
                plan.describeAllTopics();
                plan.topic(Topics.SNAPSHOTS, READ);
                plan.topic(Topics.MODEL_CONTROL, READ, WRITE); // pin/rollback decisions every replica follows
                plan.topic(Topics.REQUESTS, READ);
                plan.topic(Topics.PREDICTIONS, WRITE);
                plan.topic(Topics.DEAD_LETTER, WRITE);
                plan.topic(Topics.ALERTS, WRITE); // promotions, refusals, rollbacks, drift (AlertPublisher)
                plan.literal(ResourceType.GROUP, INFERENCE_GROUP, READ);
            }
            case CONSOLE -> {
                // group-less readers (the console's TopicTails): DESCRIBE for metadata, READ for the records
                for (String topic : List.of(Topics.SNAPSHOTS, Topics.TRAIN, Topics.TEST, Topics.DEAD_LETTER, Topics.ALERTS)) {
                    plan.topic(topic, DESCRIBE, READ);
                }
            }
            case OPERATOR -> {
                for (Topics.Spec spec : Topics.ALL) {
                    plan.topic(spec.name(), CREATE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS);
                }
            }
            case CLIENT -> {
                plan.topic(Topics.UPLOADS, WRITE);
                plan.topic(Topics.REQUESTS, WRITE);
                plan.topic(Topics.PREDICTIONS, READ);
                plan.prefixed(ResourceType.GROUP, CLIENT_GROUP_PREFIX, READ);
            }
        }
        return plan.bindings;
    }

    /** Collects one principal's ALLOW entries (from any host). */
    private static final class Plan {
        private final String principal;
        private final List<AclBinding> bindings = new ArrayList<>();

        Plan(PipelinePrincipal p) {
            this.principal = "User:" + p.userName();
        }

        void describeAllTopics() {
            for (Topics.Spec spec : Topics.ALL) {
                topic(spec.name(), DESCRIBE);
            }
        }

        void topic(String name, AclOperation... operations) {
            literal(ResourceType.TOPIC, name, operations);
        }

        void literal(ResourceType type, String name, AclOperation... operations) {
            add(new ResourcePattern(type, name, PatternType.LITERAL), operations);
        }

        void prefixed(ResourceType type, String prefix, AclOperation... operations) {
            add(new ResourcePattern(type, prefix, PatternType.PREFIXED), operations);
        }

        private void add(ResourcePattern pattern, AclOperation... operations) {
            for (AclOperation op : operations) {
                bindings.add(new AclBinding(pattern, new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)));
            }
        }
    }
}
