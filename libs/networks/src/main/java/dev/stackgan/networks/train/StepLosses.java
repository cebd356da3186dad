package dev.stackgan.networks.train;

/** Losses of one training step, as plain numbers for logging and the divergence guard. */
public record StepLosses(float discriminator, float generator, float kl) {

    public boolean finite() {
        return Float.isFinite(discriminator) && Float.isFinite(generator) && Float.isFinite(kl);
    }
}
