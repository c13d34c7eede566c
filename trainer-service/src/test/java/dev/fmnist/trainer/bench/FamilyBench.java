package dev.fmnist.trainer.bench;

import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.trainer.model.Minibatch;
import dev.fmnist.trainer.model.Models;
import dev.fmnist.trainer.model.Recipe;
import dev.fmnist.trainer.model.SampleStore;
import dev.fmnist.trainer.model.ShuffleOrder;
import dev.fmnist.trainer.model.SoftmaxRegression;
import dev.fmnist.trainer.model.StepResult;
import dev.fmnist.trainer.model.TrainableModel;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A family's model alone (no Kafka): its recipe for {@code epochs} epochs over the whole train split (the
 * trainer's shuffle), the test accuracy and seconds of each epoch. Arguments:
 * {@code family [epochs] [torch-threads] [learning-rate] [data-dir] [momentum init [SGD|ADAM [CONSTANT|COSINE [weight-decay]]]]}
 * ({@code -} = the recipe's learning rate; momentum, init, optimizer and schedule, e.g.
 * {@code 0.9 KAIMING_UNIFORM SGD COSINE}, replace the recipe's to compare recipes).
 */
public final class FamilyBench {
    private FamilyBench() {
    }

    public static void main(String[] args) {
        ModelFamily family = ModelFamily.parse(args[0]);
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        float lr = (float) (args.length > 3 && !args[3].equals("-") ? Double.parseDouble(args[3])
                : Recipe.of(family).learningRate());
        Path dir = Path.of(args.length > 4 ? args[4] : "../shared/data/fashion-mnist");
        boolean custom = args.length > 6;
        Recipe recipe = custom ? new Recipe(family, Recipe.Update.valueOf(args.length > 7 ? args[7] : "SGD"), lr,
                Float.parseFloat(args[5]), args.length > 9 ? Float.parseFloat(args[9]) : 0f,
                Recipe.Schedule.valueOf(args.length > 8 ? args[8] : "CONSTANT"),
                Recipe.Init.valueOf(args[6]), 0) : Recipe.of(family);
        SoftmaxRegression.configureThreads(threads);
        FashionMnistData data = FashionMnistData.load(dir);
        SampleStore train = new SampleStore(784, data.train().count());
        for (int i = 0; i < data.train().count(); i++) {
            train.add(data.train().images().pixels(), i * 784, data.train().label(i));
        }
        byte[] raw = data.test().images().pixels();
        ByteBuffer test = SoftmaxRegression.directBuffer(raw.length).put(raw).flip();
        System.out.printf(Locale.ROOT, "%s: %s, lr %s, torch threads %d%n", family.id(), recipe, lr, threads);
        try (TrainableModel model = custom ? Models.initialize(recipe, 0)
                : Models.initialize(family, 0); Minibatch batch = new Minibatch(256, 784)) {
            for (int e = 1; e <= epochs; e++) {
                long t0 = System.nanoTime();
                int[] order = ShuffleOrder.of(train.count(), 0, 0, e);
                double loss = 0;
                long correct = 0;
                for (int from = 0; from < order.length; from += 256) {
                    int n = Math.min(256, order.length - from);
                    batch.fill(train, order, from, n);
                    StepResult r = model.step(batch, (float) recipe.rate(lr, ((e - 1) + (double) from / order.length)
                            / epochs));
                    loss += r.lossSum();
                    correct += r.correct();
                }
                long t1 = System.nanoTime();
                int hits = model.countCorrectPixels(test, data.test().labels(), data.test().count(), 1_000);
                long t2 = System.nanoTime();
                System.out.printf(Locale.ROOT, "epoch %2d  loss %.4f  train acc %.4f  test acc %.4f  %.2f s (eval %.2f s)%n",
                        e, loss / order.length, (double) correct / order.length, (double) hits / data.test().count(),
                        (t1 - t0) / 1e9, (t2 - t1) / 1e9);
            }
        }
    }
}
