package dev.stackgan.networks.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.networks.config.Preset;
import org.junit.jupiter.api.Test;

/**
 * The {@code paper} preset builds StackGAN-v1's bird networks: output shapes and trainable parameter counts are
 * computed here from the reference layer list (docs/stackgan-reference.md), so a missing or extra layer fails the test.
 */
class PaperArchitectureTest {

    static final ModelConfig PAPER = Preset.PAPER.model(5000);
    static final long C = 128;
    static final long Z = 100;
    static final long E = 256; // sentence vector: 2 x 128 LSTM hidden

    static long conv(long in, long out, long k) {
        return in * out * k * k;
    }

    static long bn(long channels) {
        return 2 * channels;
    }

    @Test
    void stage1GeneratorIsTheReferenceLayerList() {
        long ngf = 1024;
        long expected = (E * 2 * C + 2 * C) // CA: Linear(E -> 2C)
                + (Z + C) * ngf * 16 + bn(ngf * 16) // fc, no bias, BN1d
                + conv(ngf, ngf / 2, 3) + bn(ngf / 2) + conv(ngf / 2, ngf / 4, 3) + bn(ngf / 4)
                + conv(ngf / 4, ngf / 8, 3) + bn(ngf / 8) + conv(ngf / 8, ngf / 16, 3) + bn(ngf / 16)
                + conv(ngf / 16, 3, 3);
        try (NDManager manager = NDManager.newBaseManager()) {
            Stage1Generator generator = new Stage1Generator(PAPER);
            generator.initialize(manager);
            assertEquals(expected, trainable(generator));
            Shape out = generator.forward(new ParameterStore(manager, false), new NDList(
                    manager.randomNormal(new Shape(1, C)), manager.randomNormal(new Shape(1, Z))), false)
                    .singletonOrThrow().getShape();
            assertEquals(new Shape(1, 3, 64, 64), out);
        }
    }

    @Test
    void stage2GeneratorIsTheReferenceLayerList() {
        long ngf = 128;
        long expected = (E * 2 * C + 2 * C)
                + conv(3, ngf, 3) + conv(ngf, 2 * ngf, 4) + bn(2 * ngf) + conv(2 * ngf, 4 * ngf, 4) + bn(4 * ngf)
                + conv(4 * ngf + C, 4 * ngf, 3) + bn(4 * ngf)
                + 4 * 2 * (conv(4 * ngf, 4 * ngf, 3) + bn(4 * ngf))
                + conv(4 * ngf, 2 * ngf, 3) + bn(2 * ngf) + conv(2 * ngf, ngf, 3) + bn(ngf)
                + conv(ngf, ngf / 2, 3) + bn(ngf / 2) + conv(ngf / 2, ngf / 4, 3) + bn(ngf / 4)
                + conv(ngf / 4, 3, 3);
        try (NDManager manager = NDManager.newBaseManager()) {
            Stage2Generator generator = new Stage2Generator(PAPER);
            generator.initialize(manager);
            assertEquals(expected, trainable(generator));
            Shape out = generator.forward(new ParameterStore(manager, false), new NDList(
                    manager.randomUniform(-1f, 1f, new Shape(1, 3, 64, 64)), manager.randomNormal(new Shape(1, C))),
                    false).singletonOrThrow().getShape();
            assertEquals(new Shape(1, 3, 256, 256), out);
        }
    }

    @Test
    void discriminatorsAreTheReferenceLayerLists() {
        long ndf = 64;
        long stage1 = conv(3, ndf, 4) + conv(ndf, 2 * ndf, 4) + bn(2 * ndf) + conv(2 * ndf, 4 * ndf, 4)
                + bn(4 * ndf) + conv(4 * ndf, 8 * ndf, 4) + bn(8 * ndf)
                + conv(8 * ndf + C, 8 * ndf, 3) + bn(8 * ndf) + conv(8 * ndf, 1, 4) + 1;
        long stage2 = conv(3, ndf, 4) + conv(ndf, 2 * ndf, 4) + bn(2 * ndf) + conv(2 * ndf, 4 * ndf, 4) + bn(4 * ndf)
                + conv(4 * ndf, 8 * ndf, 4) + bn(8 * ndf) + conv(8 * ndf, 16 * ndf, 4) + bn(16 * ndf)
                + conv(16 * ndf, 32 * ndf, 4) + bn(32 * ndf)
                + conv(32 * ndf, 16 * ndf, 3) + bn(16 * ndf) + conv(16 * ndf, 8 * ndf, 3) + bn(8 * ndf)
                + conv(8 * ndf + C, 8 * ndf, 3) + bn(8 * ndf) + conv(8 * ndf, 1, 4) + 1 // conditional logit
                + conv(8 * ndf, 1, 4) + 1; // unconditional logit
        Engine.getInstance().setRandomSeed(1);
        try (NDManager manager = NDManager.newBaseManager()) {
            Discriminator d1 = Discriminator.stage1(PAPER);
            d1.initialize(manager);
            assertEquals(stage1, trainable(d1));
            NDList logits1 = d1.forward(new ParameterStore(manager, false), new NDList(
                    manager.randomUniform(-1f, 1f, new Shape(2, 3, 64, 64)), manager.randomNormal(new Shape(2, C))),
                    false);
            assertEquals(1, logits1.size());
            assertEquals(new Shape(2), logits1.get(0).getShape());

            Discriminator d2 = Discriminator.stage2(PAPER);
            d2.initialize(manager);
            assertEquals(stage2, trainable(d2));
            NDList logits2 = d2.forward(new ParameterStore(manager, false), new NDList(
                    manager.randomUniform(-1f, 1f, new Shape(2, 3, 256, 256)), manager.randomNormal(new Shape(2, C))),
                    false);
            assertEquals(2, logits2.size(), "conditional and unconditional logits");
            assertEquals(new Shape(2), logits2.get(1).getShape());
        }
    }

    static long trainable(Block network) {
        return network.getParameters().values().stream().filter(Parameter::requiresGradient)
                .mapToLong(p -> p.getArray().size()).sum();
    }
}
