import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.temporal.internal.testservice.TestServicesStarter;

/**
 * The Temporal time-skipping test server (io.temporal:temporal-test-server) with its clock starting
 * at a chosen instant instead of now: `<port> --enable-time-skipping --initial-time-ms=<epoch ms>`.
 * The services are the test server's own (TestServicesStarter, what TestServer.main serves); only
 * their initial time is set, as Java's TestEnvironmentOptions.setInitialTime does in-process.
 * Used by tests about past calendars (tests/support/temporal.ts timeSkippingEnvAt).
 */
public class TestServerAt {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    boolean skipping = false;
    long initial = System.currentTimeMillis();
    for (String a : args) {
      if (a.equals("--enable-time-skipping")) skipping = true;
      if (a.startsWith("--initial-time-ms=")) initial = Long.parseLong(a.substring("--initial-time-ms=".length()));
    }
    TestServicesStarter services = new TestServicesStarter(!skipping, initial);
    ServerBuilder<?> builder = ServerBuilder.forPort(port);
    builder.addService(new HealthStatusManager().getHealthService());
    services.getServices().forEach(builder::addService);
    Server server = builder.build().start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
    server.awaitTermination();
  }
}
