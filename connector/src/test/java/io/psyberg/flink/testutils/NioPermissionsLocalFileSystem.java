package io.psyberg.flink.testutils;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * The test JVMs' {@code file:} file system (registered by the test {@code core-site.xml}, which the
 * connector's test-jar carries to the other modules' tests): Hadoop's checksummed local file
 * system, except that permissions are set through {@code java.nio}. Without Hadoop's native
 * library, Hadoop starts a {@code chmod} process for every file and folder it creates (a table
 * commit writes several, each with its checksum file), thousands per test class; what is written
 * and read is the same. The bench module does the same for its history building ({@code
 * NoForkLocalFileSystem}).
 */
public final class NioPermissionsLocalFileSystem extends LocalFileSystem {
  public NioPermissionsLocalFileSystem() {
    super(new Raw());
  }

  private static final class Raw extends RawLocalFileSystem {
    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      Files.setPosixFilePermissions(
          pathToFile(p).toPath(),
          PosixFilePermissions.fromString(
              permission.getUserAction().SYMBOL
                  + permission.getGroupAction().SYMBOL
                  + permission.getOtherAction().SYMBOL));
    }
  }
}
