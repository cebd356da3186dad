package dev.stackgan.gateway;

/**
 * One request as both APIs deliver it, before validation.
 *
 * @param seed         first seed (image i uses seed + i); null = random
 * @param finalStage   1 or 2
 * @param modelVersion bundle id to pin; null = the text encoder's current one
 */
public record GenerationRequest(String prompt, int numImages, Long seed, int finalStage, String modelVersion) {

    public GenerationRequest pinnedTo(String version) {
        return new GenerationRequest(prompt, numImages, seed, finalStage, version);
    }
}
