package dev.stackgan.trainer.run;

import ai.djl.nn.Block;
import dev.stackgan.datasets.Batch;
import dev.stackgan.networks.train.ParameterOptimizer;
import dev.stackgan.networks.train.StepLosses;
import java.util.Map;

/** The networks one run kind trains, and its step. */
interface Trainee extends AutoCloseable {

    /** One optimisation step on {@code batch}; {@code noiseSeed} fixes every random draw of the step. */
    StepLosses step(Batch batch, long noiseSeed);

    /** Every network a checkpoint holds (trained and frozen), by checkpoint name. */
    Map<String, Block> networks();

    /** The optimizers whose state a checkpoint holds, by name. */
    Map<String, ParameterOptimizer> optimizers();

    /** Sets every optimizer's learning rate to its base rate times {@code factor}. */
    void scaleLearningRates(float factor);

    /** A sample sheet for the checkpoint (null when the kind draws no images). */
    byte[] samples();

    /**
     * The checkpoint's evaluation figures (see {@link dev.stackgan.evaluation.Evaluator}); empty when the kind
     * draws no images.
     */
    Map<String, Double> evaluate();

    @Override
    void close();
}
