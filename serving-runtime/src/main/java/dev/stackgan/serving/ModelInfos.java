package dev.stackgan.serving;

import dev.stackgan.bundle.ModelBundle;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.proto.v1.ModelDimensions;
import dev.stackgan.proto.v1.ModelInfo;

/** Builds the {@link ModelInfo} of a replica from its repository state and batching limits. */
public final class ModelInfos {

    private ModelInfos() {
    }

    public static ModelInfo of(String serviceName, ModelRepository repository, BatchingPolicy batching) {
        ModelRepository.State state = repository.state();
        ModelInfo.Builder info = ModelInfo.newBuilder()
                .setService(serviceName)
                .setGraph(repository.graph())
                .setReady(state.ready())
                .addAllLoadedVersions(state.loadedVersions())
                .setExecutionProvider(repository.runtime().activeProvider())
                .setMaxBatchSize(batching.maxBatchSize())
                .setMaxQueueSize(batching.maxQueueSize())
                .setMaxQueueDelayMs(batching.maxQueueDelay().toMillis());
        if (state.ready()) {
            info.setCurrentVersion(state.current());
            try (ModelLease lease = repository.lease(null)) {
                info.setDimensions(dimensions(lease.model().bundle()));
            } catch (RuntimeException e) {
                // the current version was swapped out between reading the state and leasing it: report without dims
            }
        }
        if (state.lastError() != null) {
            info.setLastLoadError(state.lastError());
            if (state.lastErrorVersion() != null) {
                info.setLastLoadErrorVersion(state.lastErrorVersion());
            }
        }
        return info.build();
    }

    public static ModelDimensions dimensions(ModelBundle bundle) {
        ModelConfig config = bundle.manifest().modelConfig();
        return ModelDimensions.newBuilder()
                .setConditionDim(config.conditionDim())
                .setNoiseDim(config.noiseDim())
                .setMaxWords(config.text().maxWords())
                .setVocabularySize(config.text().vocabularySize())
                .setSentenceDim(config.text().sentenceDim())
                .setStage1ImageSize(config.stage1().imageSize())
                .setStage2ImageSize(config.stage2().imageSize())
                .build();
    }
}
