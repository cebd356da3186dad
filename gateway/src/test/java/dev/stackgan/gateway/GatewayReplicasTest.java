package dev.stackgan.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.stackgan.proto.v1.GatewayServiceGrpc;
import dev.stackgan.proto.v1.GenerateRequest;
import dev.stackgan.proto.v1.GenerateResponse;
import dev.stackgan.proto.v1.Stage;
import dev.stackgan.serving.DynamicBatcher;
import dev.stackgan.serving.ModelRepository;
import dev.stackgan.serving.testing.TinyBundles;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas of every model service behind the gateway (a static:/// target of two ports each), under load from
 * concurrent clients: calls reach both replicas, a replica killed mid-load fails no request (calls that meet it are
 * retried on the other), and a promotion that reaches the replicas one by one gives no request an error and no image
 * made of two versions.
 */
class GatewayReplicasTest {

    private static final List<String> SERVICES =
            List.of(ServingStack.TEXT_ENCODER, ServingStack.STAGE1, ServingStack.STAGE2);
    private static final String PROMPT = "a small bird with a red crown and white belly";
    /** Seeds the load cycles through, so every answer can be checked against a reference for its seed. */
    private static final int SEEDS = 6;

    @TempDir
    Path repository;

    @Test
    void callsReachBothReplicasAndAReplicaKilledUnderLoadFailsNoRequest() throws Exception {
        ServingStack.promotedV1(repository);
        try (ServingStack stack = new ServingStack(repository, Map.of(), Map.of(), 2);
             Load load = new Load(stack.channel(), 4)) {
            load.awaitAnswers(24);
            for (String service : SERVICES) {
                for (int replica = 0; replica < 2; replica++) {
                    long runs = stack.serviceBean(service, replica, DynamicBatcher.class).runs();
                    assertTrue(runs > 0, service + " replica " + replica + " ran no batch in 24 requests");
                }
            }
            for (String service : SERVICES) {
                stack.kill(service, 1);
            }
            long atKill = load.answered();
            load.awaitAnswers(atKill + 40);
            List<Answer> answers = load.finish();

            assertEquals(List.of(), load.failures(), "requests failed although a replica of each service was alive");
            assertEquals(Set.of(TinyBundles.V1), versions(answers));
            assertEachImageIsItsVersionsImage(stack, answers);
        }
    }

    @Test
    void aPromotionReachingTheReplicasOneByOneUnderLoadFailsNoRequestAndMixesNoVersions() throws Exception {
        TinyBundles.export(repository, TinyBundles.V2, 2);
        ServingStack.promotedV1(repository);
        try (ServingStack stack = new ServingStack(repository, Map.of(), Map.of(), 2);
             Load load = new Load(stack.channel(), 4)) {
            load.awaitAnswers(12);
            ModelRepository.promote(repository, TinyBundles.V2);
            // The order leaves every kind of lag: the encoder ahead of both stages, one Stage-I replica ahead of the
            // other, then Stage-II split while Stage-I is too. A refusing replica's trailer names the version it
            // serves; asking the service instead may reach its other replica, which has the new one.
            String[][] rollout = {{ServingStack.TEXT_ENCODER, "0"}, {ServingStack.STAGE1, "0"},
                {ServingStack.STAGE2, "1"}, {ServingStack.TEXT_ENCODER, "1"}, {ServingStack.STAGE1, "1"},
                {ServingStack.STAGE2, "0"}};
            for (String[] step : rollout) {
                long before = load.answered();
                assertEquals(TinyBundles.V2, stack.reload(step[0], Integer.parseInt(step[1])).getCurrentVersion());
                load.awaitAnswers(before + 12);
            }
            long rolledOutAt = System.nanoTime();
            load.awaitAnswers(load.answered() + 12);
            List<Answer> answers = load.finish();

            assertEquals(List.of(), load.failures(), "requests failed during the rollout");
            assertEquals(Set.of(TinyBundles.V1, TinyBundles.V2), versions(answers));
            List<Answer> sentAfterRollout = answers.stream().filter(answer -> answer.sentAt() > rolledOutAt).toList();
            assertTrue(sentAfterRollout.size() >= 8, sentAfterRollout.size() + " answers sent after the rollout");
            assertEquals(Set.of(TinyBundles.V2), versions(sentAfterRollout));
            assertEachImageIsItsVersionsImage(stack, answers);
        }
    }

    private static Set<String> versions(List<Answer> answers) {
        Set<String> versions = new TreeSet<>();
        answers.forEach(answer -> versions.add(answer.version()));
        return versions;
    }

    /**
     * Every answer equals the image its seed gives when the version it names is pinned (asked again now, on whichever
     * replicas are left): an image made by one version's Stage-I and another's Stage-II would not. Pixels may differ
     * by one level where a batch under load rounded differently from a batch of one.
     */
    private static void assertEachImageIsItsVersionsImage(ServingStack stack, List<Answer> answers) {
        Map<String, BufferedImage> references = new HashMap<>();
        for (Answer answer : answers) {
            BufferedImage reference = references.computeIfAbsent(answer.version() + "/" + answer.seed(),
                    key -> decode(generate(stack.channel(), answer.seed(), answer.version()).getImages(0).getPng()
                            .toByteArray()));
            int difference = maxDifference(reference, decode(answer.png()));
            assertTrue(difference <= 1, "seed " + answer.seed() + " of " + answer.version() + " differs by "
                    + difference + " levels from the image that version gives");
        }
    }

    private static GenerateResponse generate(ManagedChannel channel, long seed, String version) {
        GenerateRequest.Builder request = GenerateRequest.newBuilder().setPrompt(PROMPT).setNumImages(1)
                .setSeed(seed).setFinalStage(Stage.STAGE_2);
        if (version != null) {
            request.setModelVersion(version);
        }
        return GatewayServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                .generate(request.build());
    }

    private static BufferedImage decode(byte[] png) {
        try {
            return ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int maxDifference(BufferedImage a, BufferedImage b) {
        assertEquals(a.getWidth(), b.getWidth());
        assertEquals(a.getHeight(), b.getHeight());
        int max = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int shift = 0; shift < 24; shift += 8) {
                    max = Math.max(max, Math.abs((p >> shift & 0xff) - (q >> shift & 0xff)));
                }
            }
        }
        return max;
    }

    /** One answered request: when it was sent (nanoTime), the seed it asked for, the version it got, the PNG. */
    private record Answer(long sentAt, long seed, String version, byte[] png) {
    }

    /** Clients that send unpinned one-image requests back to back, cycling through the seeds, until finished. */
    private static final class Load implements AutoCloseable {
        private final ExecutorService clients;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong sent = new AtomicLong();
        private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

        Load(ManagedChannel channel, int clientCount) {
            clients = Executors.newFixedThreadPool(clientCount);
            for (int i = 0; i < clientCount; i++) {
                clients.execute(() -> {
                    while (running.get()) {
                        long seed = sent.getAndIncrement() % SEEDS;
                        long sentAt = System.nanoTime();
                        try {
                            GenerateResponse response = generate(channel, seed, null);
                            answers.add(new Answer(sentAt, seed, response.getModelVersion(),
                                    response.getImages(0).getPng().toByteArray()));
                        } catch (StatusRuntimeException e) {
                            failures.add(e.getStatus().toString());
                        }
                    }
                });
            }
        }

        long answered() {
            return answers.size() + failures.size();
        }

        /** Waits until {@code count} requests have been answered (with an image or an error). */
        void awaitAnswers(long count) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (answered() < count) {
                if (System.nanoTime() > deadline) {
                    fail("only " + answered() + " of " + count + " requests answered in 60 s; failures: " + failures);
                }
                Thread.sleep(5);
            }
        }

        /** Stops sending, waits for the requests in flight and returns every answer in the order it came. */
        List<Answer> finish() throws InterruptedException {
            close();
            return new ArrayList<>(answers);
        }

        List<String> failures() {
            return new ArrayList<>(failures);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            clients.shutdown();
            assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS), "clients still running after 60 s");
        }
    }
}
