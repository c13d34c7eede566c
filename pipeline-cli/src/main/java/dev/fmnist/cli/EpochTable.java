package dev.fmnist.cli;

import dev.fmnist.api.TrainingStatus;
import java.util.Locale;

/** The seed's epoch report as a table: one row per finished epoch. */
public final class EpochTable {
    public static final String HEADER = "epoch  train loss  train acc  test acc  seconds  model";

    private EpochTable() {
    }

    /** One row from a history entry of the trainer's {@code GET /api/v1/training}. */
    public static String row(TrainingStatus.HistoryEntry e) {
        return String.format(Locale.ROOT, "%5d  %10.4f  %9.4f  %8.4f  %7.2f  v%d",
                e.epoch(), e.trainLoss(), e.trainAccuracy(), e.testAccuracy(), e.seconds(), e.modelVersion());
    }
}
