package dev.stackgan.networks.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.stackgan.networks.model.ConditioningAugmentation;
import dev.stackgan.networks.model.Stage1Generator;
import dev.stackgan.networks.model.Stage2Generator;

/** What a GAN stage trains: sentence vectors and noise in, a fake image and the CA statistics out. */
public interface ConditionalGenerator {

    /**
     * @param image fake images; @param mu and @param logvar the stage's CA statistics (for the KL term and D);
     * @param refined the Stage-I images a Stage-II generator refined (null for Stage-I)
     */
    record Generated(NDArray image, NDArray mu, NDArray logvar, NDArray refined) {
    }

    Generated generate(ParameterStore store, NDArray sentence, GanBatch batch, boolean training);

    /** The network whose parameters the generator optimizer updates. */
    Block trainable();

    static ConditionalGenerator stage1(Stage1Generator generator) {
        return new ConditionalGenerator() {
            @Override
            public Generated generate(ParameterStore store, NDArray sentence, GanBatch batch, boolean training) {
                NDList stats = generator.conditioning().forward(store, new NDList(sentence), training);
                NDArray c = ConditioningAugmentation.sample(stats.get(0), stats.get(1), batch.stage1CaNoise());
                NDArray image = generator.forward(store, new NDList(c, batch.z()), training).singletonOrThrow();
                return new Generated(image, stats.get(0), stats.get(1), null);
            }

            @Override
            public Block trainable() {
                return generator;
            }
        };
    }

    /**
     * Stage-II behind a frozen Stage-I generator. Stage-I runs in eval mode (running batch-norm statistics), exactly
     * as the serving chain will run it, so Stage-II learns to refine the images it will really receive. (The
     * reference code left Stage-I in train mode, which drifts its statistics during Stage-II training.)
     */
    static ConditionalGenerator stage2(Stage1Generator frozenStage1, Stage2Generator generator) {
        return new ConditionalGenerator() {
            @Override
            public Generated generate(ParameterStore store, NDArray sentence, GanBatch batch, boolean training) {
                Generated low = stage1(frozenStage1).generate(store, sentence, batch, false);
                NDList stats = generator.conditioning().forward(store, new NDList(sentence), training);
                NDArray c = ConditioningAugmentation.sample(stats.get(0), stats.get(1), batch.stage2CaNoise());
                NDArray refined = low.image().stopGradient();
                NDArray image = generator.forward(store, new NDList(refined, c), training).singletonOrThrow();
                return new Generated(image, stats.get(0), stats.get(1), refined);
            }

            @Override
            public Block trainable() {
                return generator;
            }
        };
    }
}
