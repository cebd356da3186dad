package dev.stackgan.trainer.run;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.text.Vocabulary;
import dev.stackgan.datasets.Batch;
import dev.stackgan.networks.config.TrainingConfig;
import dev.stackgan.networks.model.ImageEncoder;
import dev.stackgan.networks.model.TextEncoder;
import dev.stackgan.networks.train.MatchingTrainer;
import dev.stackgan.networks.train.ParameterOptimizer;
import dev.stackgan.networks.train.StepLosses;
import java.util.Map;

/** Text-encoder run: DAMSM sentence matching between captions and their images. */
final class TextEncoderTrainee implements Trainee {

    private final NDManager manager = NDManager.newBaseManager();
    private final ModelConfig config;
    private final Vocabulary vocabulary;
    private final TrainingConfig training;
    private final TextEncoder textEncoder;
    private final ImageEncoder imageEncoder;
    private final MatchingTrainer trainer;

    TextEncoderTrainee(ModelConfig config, Vocabulary vocabulary, TrainingConfig training) {
        this.config = config;
        this.vocabulary = vocabulary;
        this.training = training;
        textEncoder = new TextEncoder(config.text());
        imageEncoder = new ImageEncoder(config);
        textEncoder.initialize(manager);
        imageEncoder.initialize(manager);
        trainer = new MatchingTrainer(manager, textEncoder, imageEncoder, training);
    }

    @Override
    public StepLosses step(Batch batch, long noiseSeed) {
        try (NDManager step = manager.newSubManager()) {
            int n = batch.size();
            int size = batch.imageSizes()[0];
            float loss = trainer.step(
                    step.create(vocabulary.tokenIds(batch.captions(), config.text().maxWords()), new Shape(n,
                            config.text().maxWords())),
                    step.create(batch.images()[0], new Shape(n, 3, size, size)),
                    step.create(Batches.classIds(batch)));
            return new StepLosses(loss, loss, 0f);
        }
    }

    @Override
    public Map<String, Block> networks() {
        return Map.of(Checkpoint.TEXT_ENCODER, textEncoder, Checkpoint.IMAGE_ENCODER, imageEncoder);
    }

    @Override
    public Map<String, ParameterOptimizer> optimizers() {
        return Map.of(Checkpoint.TEXT_ENCODER, trainer.textOptimizer(), Checkpoint.IMAGE_ENCODER,
                trainer.imageOptimizer());
    }

    @Override
    public void scaleLearningRates(float factor) {
        float lr = training.textEncoderLr() * training.lrMultiplier() * factor;
        trainer.textOptimizer().setLearningRate(lr);
        trainer.imageOptimizer().setLearningRate(lr);
    }

    @Override
    public byte[] samples() {
        return null;
    }

    @Override
    public Map<String, Double> evaluate() {
        return Map.of();
    }

    @Override
    public void close() {
        manager.close();
    }
}
