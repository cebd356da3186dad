package dev.stackgan.serving;

import dev.stackgan.bundle.ModelBundle;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.graph.ModelGraphs;
import dev.stackgan.proto.v1.ModelDimensions;
import dev.stackgan.proto.v1.ModelGraph;
import dev.stackgan.proto.v1.ModelInfo;

/** Builds the {@link ModelInfo} of a replica from its repository state and batching limits. */
public final class ModelInfos {

    private ModelInfos() {
    }

    public static ModelInfo of(String serviceName, ModelRepository repository, BatchingPolicy batching) {
        ModelRepository.State state = repository.state();
        ModelInfo.Builder info = ModelInfo.newBuilder()
                .setService(serviceName)
                .setGraph(graph(repository.graph()))
                .setReady(state.ready())
                .addAllLoadedVersions(state.loadedVersions())
                .setExecutionProvider(provider(repository.runtime().active()))
                .setMaxBatchSize(batching.maxBatchSize())
                .setMaxQueueSize(batching.maxQueueSize())
                .setMaxQueueDelayMs(batching.maxQueueDelay().toMillis())
                .setInstances(batching.instances());
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

    /** A bundle graph's name ({@link ModelGraphs}) as the contract's enum. */
    public static ModelGraph graph(String name) {
        return switch (name) {
            case ModelGraphs.TEXT_ENCODER -> ModelGraph.MODEL_GRAPH_TEXT_ENCODER;
            case ModelGraphs.STAGE1 -> ModelGraph.MODEL_GRAPH_STAGE1;
            case ModelGraphs.STAGE2 -> ModelGraph.MODEL_GRAPH_STAGE2;
            default -> throw new IllegalArgumentException("no stackgan.v1.ModelGraph for the graph '" + name + "'");
        };
    }

    /** The provider that runs ({@code null} while nothing runs yet) as the contract's enum. */
    public static dev.stackgan.proto.v1.ExecutionProvider provider(ExecutionProvider active) {
        if (active == null) {
            return dev.stackgan.proto.v1.ExecutionProvider.EXECUTION_PROVIDER_UNSPECIFIED;
        }
        return switch (active) {
            case CPU -> dev.stackgan.proto.v1.ExecutionProvider.EXECUTION_PROVIDER_CPU;
            case CUDA -> dev.stackgan.proto.v1.ExecutionProvider.EXECUTION_PROVIDER_CUDA;
            case AUTO -> throw new IllegalArgumentException("auto is a request, not a provider that runs");
        };
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
