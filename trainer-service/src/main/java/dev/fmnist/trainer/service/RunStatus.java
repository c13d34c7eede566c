package dev.fmnist.trainer.service;

import dev.fmnist.api.TrainingStatus;
import dev.fmnist.contracts.WeightSnapshot;
import java.util.ArrayDeque;
import java.util.List;

/**
 * What {@code GET /api/v1/training} reports about the model and the run, fed by the run's progress
 * callbacks and the service's lifecycle. The epoch history keeps the newest {@code historyLimit}
 * epochs (a POST may ask for 100,000). Thread-safe: written by the training and finisher threads, read by HTTP.
 */
final class RunStatus implements Trainer.Listener {
    private final int historyLimit;
    private final ArrayDeque<TrainingStatus.HistoryEntry> history = new ArrayDeque<>();
    private Trainer.State state = Trainer.State.IDLE;
    private String detail = "no run yet";
    private int epoch;
    private long step;
    private long modelVersion;
    private Double samplesPerSecond;
    private List<String> missingData = List.of();

    RunStatus(int historyLimit) {
        if (historyLimit < 1) {
            throw new IllegalArgumentException("history limit must be >= 1, got " + historyLimit);
        }
        this.historyLimit = historyLimit;
    }

    /** A run that starts from a fresh W: no epochs, steps or history of this model yet. */
    synchronized void freshRun() {
        history.clear();
        epoch = 0;
        step = 0;
    }

    synchronized Trainer.State state() {
        return state;
    }

    synchronized String detail() {
        return detail;
    }

    @Override
    public synchronized void state(Trainer.State s, String d) {
        state = s;
        detail = d;
    }

    @Override
    public synchronized void resumed(WeightSnapshot from) {
        epoch = from.epoch();
        step = from.step();
        modelVersion = from.version();
    }

    @Override
    public synchronized void step(long stepNumber, int samples, long nanos) {
        step = stepNumber;
    }

    @Override
    public synchronized void epoch(EpochSummary s) {
        epoch = s.epoch();
        samplesPerSecond = s.samples() / s.seconds();
        history.addLast(new TrainingStatus.HistoryEntry(s.epoch(), s.trainLoss(), s.trainAccuracy(), s.testAccuracy(),
                s.seconds(), s.modelVersion(), s.samples(), s.testSamples()));
        while (history.size() > historyLimit) {
            history.removeFirst();
        }
    }

    @Override
    public synchronized void dataMissing(List<String> missing) {
        missingData = List.copyOf(missing);
    }

    @Override
    public synchronized void snapshot(WeightSnapshot s) {
        modelVersion = s.version();
    }

    /** The status with the settings of the active (or last) run. */
    synchronized TrainingStatus toStatus(TrainingSettings s) {
        return new TrainingStatus(state.name(), detail, s.modelName(), epoch, s.epochs(), step, modelVersion,
                s.learningRate(), s.batchSize(), s.seed(), samplesPerSecond, List.copyOf(history), missingData);
    }
}
