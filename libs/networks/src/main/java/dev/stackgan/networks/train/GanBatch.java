package dev.stackgan.networks.train;

import ai.djl.ndarray.NDArray;

/**
 * One step's data and noise for a GAN stage.
 *
 * @param tokenIds       captions [N, T] int64
 * @param realImages     the captions' images at this stage's size [N, 3, S, S] in [-1, 1]
 * @param wrongImages    images of other classes, same shape: the matching-aware "wrong" pairs
 * @param stage1CaNoise  Conditioning Augmentation noise for the Stage-I head [N, C]
 * @param stage2CaNoise  noise for the Stage-II head [N, C] (unused by Stage-I training)
 * @param z              Stage-I noise [N, Z]
 * @param classIds       class of each caption [N] int64: the caption-matching loss does not count a same-class
 *                       caption as a mismatch
 */
public record GanBatch(NDArray tokenIds, NDArray realImages, NDArray wrongImages, NDArray stage1CaNoise,
                       NDArray stage2CaNoise, NDArray z, NDArray classIds) {
}
