package dev.stackgan.networks.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.stackgan.networks.config.TrainingConfig;

/**
 * StackGAN's matching-aware losses over discriminator logits. Each NDList holds the conditional logits and, for
 * Stage-II, the unconditional ones.
 */
public abstract class GanLoss {

    public static GanLoss of(TrainingConfig.Loss kind) {
        return switch (kind) {
            case BCE -> new Bce();
            case HINGE -> new Hinge();
            case WASSERSTEIN -> new Wasserstein();
        };
    }

    /** Discriminator loss from (real image, its text), (wrong image, the text) and (fake image, the text). */
    public abstract NDArray discriminator(NDList real, NDList wrong, NDList fake);

    /** Generator adversarial loss (without the KL term). */
    public abstract NDArray generator(NDList fake);

    /** Whether the critic's weights are clipped after each step (the original WGAN's Lipschitz constraint). */
    public boolean clipsWeights() {
        return false;
    }

    /**
     * The reference's weighting of per-logit terms: errD = real + (fake + wrong) / 2, or with the unconditional
     * head (real + uncond_real) / 2 + (fake + wrong + uncond_fake) / 3; G sums its terms over both heads.
     */
    abstract static class MatchingAware extends GanLoss {

        /** D's loss on logits that should read "real". */
        abstract NDArray real(NDArray logits);

        /** D's loss on logits that should read "fake" (generated images, or real ones with the wrong text). */
        abstract NDArray fake(NDArray logits);

        /** G's loss on D's logits of its images. */
        abstract NDArray fooled(NDArray logits);

        @Override
        public NDArray discriminator(NDList real, NDList wrong, NDList fake) {
            NDArray realLoss = real(real.get(0));
            NDArray mismatched = fake(fake.get(0)).add(fake(wrong.get(0)));
            if (real.size() == 1) {
                return realLoss.add(mismatched.mul(0.5f));
            }
            return realLoss.add(real(real.get(1))).div(2f).add(mismatched.add(fake(fake.get(1))).div(3f));
        }

        @Override
        public NDArray generator(NDList fake) {
            NDArray loss = fooled(fake.get(0));
            return fake.size() == 1 ? loss : loss.add(fooled(fake.get(1)));
        }
    }

    /** Sigmoid + binary cross entropy on logits (numerically safer than the reference's Sigmoid then BCELoss). */
    static final class Bce extends MatchingAware {
        private static NDArray bce(NDArray logits, float label) {
            // log(1 + exp(-|x|)) + max(x, 0) - x * label
            return logits.abs().neg().exp().add(1f).log().add(logits.maximum(0f)).sub(logits.mul(label)).mean();
        }

        @Override
        NDArray real(NDArray logits) {
            return bce(logits, 1f);
        }

        @Override
        NDArray fake(NDArray logits) {
            return bce(logits, 0f);
        }

        @Override
        NDArray fooled(NDArray logits) {
            return bce(logits, 1f);
        }
    }

    /** Hinge loss (Geometric GAN; SAGAN, BigGAN): D pushes real logits above 1 and fake ones below -1. */
    static final class Hinge extends MatchingAware {
        @Override
        NDArray real(NDArray logits) {
            return logits.neg().add(1f).maximum(0f).mean();
        }

        @Override
        NDArray fake(NDArray logits) {
            return logits.add(1f).maximum(0f).mean();
        }

        @Override
        NDArray fooled(NDArray logits) {
            return logits.mean().neg();
        }
    }

    /** Wasserstein critic: no sigmoid; matching-aware by scoring wrong pairs like fakes. */
    static final class Wasserstein extends GanLoss {
        @Override
        public NDArray discriminator(NDList real, NDList wrong, NDList fake) {
            NDArray loss = fake.get(0).mean().add(wrong.get(0).mean()).mul(0.5f).sub(real.get(0).mean());
            if (real.size() == 1) {
                return loss;
            }
            return loss.add(fake.get(1).mean()).sub(real.get(1).mean());
        }

        @Override
        public NDArray generator(NDList fake) {
            NDArray loss = fake.get(0).mean().neg();
            return fake.size() == 1 ? loss : loss.sub(fake.get(1).mean());
        }

        @Override
        public boolean clipsWeights() {
            return true;
        }
    }
}
