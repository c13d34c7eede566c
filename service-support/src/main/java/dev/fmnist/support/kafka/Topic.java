package dev.fmnist.support.kafka;

import dev.fmnist.contracts.ClassificationCodec;
import dev.fmnist.contracts.ClassificationRequest;
import dev.fmnist.contracts.ImageBatch;
import dev.fmnist.contracts.ImageBatchCodec;
import dev.fmnist.contracts.Prediction;
import dev.fmnist.contracts.Topics;
import java.util.function.Function;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A topic bound to its wire codec from the contracts: one name, one way to write and to read its values.
 * The signed topics (snapshots, model control) are read through their verifying reader instead, since
 * decoding them needs the service's signing keys.
 */
public record Topic<V>(String name, Function<V, byte[]> encoder, Function<byte[], V> decoder) {
    public static final Topic<ImageBatch> TRAIN = new Topic<>(Topics.TRAIN, ImageBatchCodec::encode, ImageBatchCodec::decode);
    public static final Topic<ImageBatch> TEST = new Topic<>(Topics.TEST, ImageBatchCodec::encode, ImageBatchCodec::decode);
    public static final Topic<ClassificationRequest> REQUESTS = new Topic<>(Topics.REQUESTS,
            ClassificationCodec::encodeRequest, ClassificationCodec::decodeRequest);
    public static final Topic<Prediction> PREDICTIONS = new Topic<>(Topics.PREDICTIONS,
            ClassificationCodec::encodePrediction, ClassificationCodec::decodePrediction);

    public byte[] encode(V value) {
        return encoder.apply(value);
    }

    /** @throws dev.fmnist.contracts.WireFormatException when the bytes are not a value of this topic */
    public V decode(byte[] data) {
        return decoder.apply(data);
    }

    /** A record of {@code value} under {@code key}, partitioned by the key. */
    public <K> ProducerRecord<K, byte[]> record(K key, V value) {
        return new ProducerRecord<>(name, key, encode(value));
    }
}
