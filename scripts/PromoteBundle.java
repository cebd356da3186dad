// Promotes an exported bundle on a running trainer (stackgan.v1.TrainerService/PromoteBundle): the serving model
// repository's CURRENT then names it and the model services hot-swap to it. The trainer's CLI has no promote command
// yet; scripts/compose-test.sh calls this with Java's source launcher and the trainer's jar on the class path:
//   java -cp trainer-service/target/trainer-service-*-all.jar scripts/PromoteBundle.java HOST:PORT BUNDLE_ID
import dev.stackgan.proto.v1.Bundle;
import dev.stackgan.proto.v1.PromoteBundleRequest;
import dev.stackgan.trainer.service.TrainerClient;
import io.grpc.StatusRuntimeException;
import java.time.Duration;

class PromoteBundle {
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: PromoteBundle HOST:PORT BUNDLE_ID");
            System.exit(2);
        }
        try (TrainerClient client = TrainerClient.connect(args[0], Duration.ofSeconds(30))) {
            Bundle bundle = client.stub().promoteBundle(PromoteBundleRequest.newBuilder().setBundleId(args[1]).build());
            System.out.println("promoted " + bundle.getBundleId());
        } catch (StatusRuntimeException e) {
            System.err.println("promote " + args[1] + " on " + args[0] + ": " + e.getStatus());
            System.exit(1);
        }
    }
}
