package dev.stackgan.networks.config;

import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.config.ModelConfig.ImageEncoderConfig;
import dev.stackgan.bundle.config.ModelConfig.NetworkVariants;
import dev.stackgan.bundle.config.ModelConfig.Stage1Config;
import dev.stackgan.bundle.config.ModelConfig.Stage2Config;
import dev.stackgan.bundle.config.ModelConfig.TextEncoderConfig;
import dev.stackgan.networks.config.TrainingConfig.Loss;
import dev.stackgan.networks.config.TrainingConfig.OptimizerKind;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * Named configurations. {@code paper} is StackGAN-v1 for birds; {@code small} is the CPU-trainable demo; {@code tiny}
 * runs the same code paths in tests within seconds. The vocabulary size is filled in from the data set's
 * vocabulary when a run starts.
 */
public enum Preset {

    PAPER(new ModelConfig(new TextEncoderConfig(0, 18, 300, 128, 0.5f), 128, 100,
            new Stage1Config(64, 128, 64), new Stage2Config(256, 128, 64, 4),
            new ImageEncoderConfig(64, 64), NetworkVariants.PAPER),
            new TrainingConfig(64, 2e-4f, 2e-4f, 1f, 50, 2f, Loss.BCE, OptimizerKind.ADAM, 0.01f, 2e-3f, 10f, 0f, 0f,
                    Set.of(), 0f)),

    SMALL(new ModelConfig(new TextEncoderConfig(0, 18, 64, 64, 0.5f), 64, 50,
            new Stage1Config(64, 32, 32), new Stage2Config(256, 16, 8, 2),
            new ImageEncoderConfig(64, 32), NetworkVariants.PAPER),
            new TrainingConfig(32, 2e-4f, 2e-4f, 1f, 50, 2f, Loss.BCE, OptimizerKind.ADAM, 0.01f, 2e-3f, 10f, 0f, 0f,
                    Set.of(), 0f)),

    TINY(new ModelConfig(new TextEncoderConfig(0, 18, 16, 8, 0.1f), 8, 8,
            new Stage1Config(16, 4, 4), new Stage2Config(32, 4, 4, 1),
            new ImageEncoderConfig(16, 4), NetworkVariants.PAPER),
            new TrainingConfig(4, 2e-4f, 2e-4f, 1f, 50, 2f, Loss.BCE, OptimizerKind.ADAM, 0.01f, 2e-3f, 10f, 0f, 0f,
                    Set.of(), 0f));

    private final ModelConfig model;
    private final TrainingConfig training;

    Preset(ModelConfig model, TrainingConfig training) {
        this.model = model;
        this.training = training;
    }

    /** The model config for a vocabulary of {@code vocabularySize} words (padding and unknown included). */
    public ModelConfig model(int vocabularySize) {
        return model.withVocabularySize(vocabularySize).validate();
    }

    public TrainingConfig training() {
        return training;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Preset parse(String name) {
        return Arrays.stream(values()).filter(p -> p.id().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("preset must be one of "
                        + Arrays.stream(values()).map(Preset::id).toList() + ", got '" + name + "'"));
    }
}
