package dev.stackgan.gateway.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.stackgan.gateway.ImageGenerator;
import dev.stackgan.proto.v1.GetVocabularyResponse;
import dev.stackgan.security.Guarded;
import dev.stackgan.security.Scope;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/**
 * GET /v1/vocabulary?model_version=...: the words the text encoder knows and how many it reads, so that the web
 * page marks unknown and truncated words while the prompt is typed, without a request per keystroke.
 */
@Guarded(Scope.API)
@Controller("/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
public class VocabularyController {

    /** The known words in id order (most frequent first), without padding and the unknown word. */
    @Serdeable
    public record VocabularyResponse(@JsonProperty("model_version") String modelVersion,
                                     @JsonProperty("max_words") int maxWords, List<String> words) {
    }

    private final ImageGenerator generator;

    public VocabularyController(ImageGenerator generator) {
        this.generator = generator;
    }

    @Get(uri = "/vocabulary", produces = MediaType.APPLICATION_JSON)
    public VocabularyResponse vocabulary(@QueryValue("model_version") @Nullable String modelVersion) {
        GetVocabularyResponse vocabulary = generator.vocabulary(modelVersion);
        return new VocabularyResponse(vocabulary.getModelVersion(), vocabulary.getMaxWords(),
                vocabulary.getWordsList());
    }
}
