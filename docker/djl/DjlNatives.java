import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Image build step, not part of the service: loads DJL's PyTorch engine from the application's own
 * jars (pytorch-native-cpu is bundled), so DJL extracts libtorch and the JNI library into
 * DJL_CACHE_DIR while the image is built. The running container then loads them from there, read-only
 * and without network. A failed load or a wrong sum fails the image build.
 * Shared by the trainer-service and inference-service images (their Dockerfile.jvm copy it from docker/djl/).
 * Run with the JDK's source launcher: java -cp 'lib/boot/*:lib/main/*' DjlNatives.java
 */
public final class DjlNatives {
    public static void main(String[] args) {
        Engine engine = Engine.getEngine("PyTorch");
        try (NDManager manager = engine.newBaseManager()) {
            float sum = manager.ones(new Shape(3, 4)).sum().getFloat();
            if (sum != 12f) {
                throw new IllegalStateException("PyTorch smoke computation gave " + sum + " instead of 12");
            }
        }
        System.out.println("DJL " + engine.getEngineName() + " " + engine.getVersion()
                + " natives extracted to " + System.getenv("DJL_CACHE_DIR"));
    }
}
