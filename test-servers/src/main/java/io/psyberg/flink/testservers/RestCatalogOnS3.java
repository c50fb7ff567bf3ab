package io.psyberg.flink.testservers;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Iceberg's REST catalog server over an S3-compatible object store, as two separate processes on
 * 127.0.0.1 with free ports: Adobe's S3Mock (its runnable jar) and Iceberg's {@code
 * RESTCatalogServer} (from iceberg-open-api's test fixtures, the server of Iceberg's REST docker
 * image), which keeps its catalog in SQLite and writes table metadata with {@code S3FileIO}.
 * Clients reach the tables with {@link #catalogOptions()} (the SQL connector's catalog options) or
 * {@link #cliArgs()}.
 *
 * <p>{@code main} starts both for scripts: {@code java -jar ... RestCatalogOnS3 DIR} writes {@code
 * DIR/servers.env} once both answer, and stops them when it is terminated.
 */
public final class RestCatalogOnS3 implements AutoCloseable {
  /** The bucket S3Mock creates; the catalog's warehouse is {@code s3://warehouse/wh}. */
  public static final String BUCKET = "warehouse";

  public static final String WAREHOUSE = "s3://" + BUCKET + "/wh";

  /** Test credentials: S3Mock accepts any, S3FileIO needs some. */
  static final String ACCESS_KEY = "psyberg";

  static final String SECRET_KEY = "psyberg-test-secret";

  private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
  private static final String REST_SERVER_MAIN = "org.apache.iceberg.rest.RESTCatalogServer";

  private final ServerProcess s3;
  private final ServerProcess rest;
  private final String s3Endpoint;
  private final String restUri;

  private RestCatalogOnS3(ServerProcess s3, String s3Endpoint, ServerProcess rest, String restUri) {
    this.s3 = s3;
    this.s3Endpoint = s3Endpoint;
    this.rest = rest;
    this.restUri = restUri;
  }

  /**
   * Starts both servers, their data and logs under {@code dir}, and waits until both answer.
   *
   * @throws IOException when a server does not start (the message ends with its log)
   */
  public static RestCatalogOnS3 start(Path dir) throws IOException, InterruptedException {
    Path root = dir.toAbsolutePath();
    int s3Port = ServerProcess.freePort();
    String s3Endpoint = "http://127.0.0.1:" + s3Port;
    ServerProcess s3 =
        ServerProcess.startJava(
            "S3Mock",
            List.of(
                "-Djava.io.tmpdir=" + Files.createDirectories(root.resolve("s3mock-tmp")),
                "-jar",
                ServerJars.s3MockJar().toString(),
                "--com.adobe.testing.s3mock.http-port=" + s3Port,
                "--server.port=" + ServerProcess.freePort(),
                "--server.address=127.0.0.1",
                "--spring.main.banner-mode=off",
                "--com.adobe.testing.s3mock.store.initial-buckets=" + BUCKET,
                "--com.adobe.testing.s3mock.store.root=" + root.resolve("s3-data")),
            Map.of(),
            root.resolve("logs/s3mock.log"));
    ServerProcess rest = null;
    try {
      int restPort = ServerProcess.freePort();
      rest =
          ServerProcess.startJava(
              "Iceberg REST catalog server",
              List.of(
                  "-Djava.io.tmpdir=" + Files.createDirectories(root.resolve("rest-tmp")),
                  "-cp",
                  ServerJars.restCatalogServerLib().resolve("*").toString(),
                  REST_SERVER_MAIN),
              restServerEnvironment(restPort, s3Endpoint, root.resolve("rest-catalog.db")),
              root.resolve("logs/rest-catalog-server.log"));
      String restUri = "http://127.0.0.1:" + restPort;
      s3.awaitReady(URI.create(s3Endpoint + "/"), READY_TIMEOUT);
      rest.awaitReady(URI.create(restUri + "/v1/config"), READY_TIMEOUT);
      return new RestCatalogOnS3(s3, s3Endpoint, rest, restUri);
    } catch (IOException | InterruptedException | RuntimeException e) {
      if (rest != null) {
        rest.close();
      }
      s3.close();
      throw e;
    }
  }

  /**
   * The server's configuration, as its docker image takes it: {@code CATALOG_*} variables, where
   * {@code __} stands for {@code -} and {@code _} for {@code .}.
   */
  private static Map<String, String> restServerEnvironment(
      int port, String s3Endpoint, Path database) {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("rest.port", Integer.toString(port));
    properties.put("warehouse", WAREHOUSE);
    // a file, one connection: SQLite serializes the catalog's commits
    properties.put("uri", "jdbc:sqlite:" + database);
    properties.put("clients", "1");
    properties.putAll(fileProperties(s3Endpoint));
    Map<String, String> env = new LinkedHashMap<>();
    properties.forEach(
        (key, value) ->
            env.put(
                "CATALOG_" + key.replace("-", "__").replace('.', '_').toUpperCase(Locale.ROOT),
                value));
    return env;
  }

  /** The REST endpoint, e.g. {@code http://127.0.0.1:41234}. */
  public String restUri() {
    return restUri;
  }

  /** The S3 endpoint, e.g. {@code http://127.0.0.1:41235}. */
  public String s3Endpoint() {
    return s3Endpoint;
  }

  /** The catalog as the psyberg SQL connector's catalog options ({@code catalog.*} properties). */
  public Map<String, String> catalogOptions() {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("catalog-type", "rest");
    options.put("uri", restUri);
    fileProperties(s3Endpoint).forEach((k, v) -> options.put("catalog." + k, v));
    return options;
  }

  /** The same catalog as command-line options of the examples CLI. */
  public List<String> cliArgs() {
    List<String> args = new ArrayList<>(List.of("--catalog-type", "rest", "--uri", restUri));
    fileProperties(s3Endpoint)
        .forEach((k, v) -> args.addAll(List.of("--catalog-option", k + "=" + v)));
    return args;
  }

  /** The Iceberg catalog properties that reach the tables' files: S3FileIO on the S3 server. */
  private static Map<String, String> fileProperties(String s3Endpoint) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
    p.put("s3.endpoint", s3Endpoint);
    p.put("s3.path-style-access", "true");
    p.put("s3.access-key-id", ACCESS_KEY);
    p.put("s3.secret-access-key", SECRET_KEY);
    p.put("client.region", "us-east-1");
    return p;
  }

  /** Stops both servers. */
  @Override
  public void close() {
    try {
      rest.close();
    } finally {
      s3.close();
    }
  }

  /**
   * {@code RestCatalogOnS3 DIR}: starts both servers, writes {@code DIR/servers.env} (shell
   * assignments: {@code REST_URI}, {@code S3_ENDPOINT}, {@code CATALOG_ARGS}), then runs until it
   * is terminated, stopping both servers on the way out.
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: RestCatalogOnS3 DIR");
      System.exit(2);
    }
    Path dir = Path.of(args[0]).toAbsolutePath();
    RestCatalogOnS3 servers = start(dir);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  servers.close();
                  stopped.countDown();
                }));
    String env =
        "REST_URI='"
            + servers.restUri()
            + "'\nS3_ENDPOINT='"
            + servers.s3Endpoint()
            + "'\nCATALOG_ARGS='"
            + String.join(" ", servers.cliArgs())
            + "'\n";
    Path tmp = dir.resolve("servers.env.tmp");
    Files.writeString(tmp, env, StandardCharsets.UTF_8);
    Files.move(tmp, dir.resolve("servers.env"));
    System.out.println("REST catalog at " + servers.restUri() + ", S3 at " + servers.s3Endpoint());
    stopped.await();
  }
}
