package io.psyberg.flink.examples.cli;

import java.io.PrintStream;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;

/** Makes the command objects picocli asks for, handing each the CLI's output streams. */
final class CommandFactory implements IFactory {
  private final PrintStream out;
  private final PrintStream err;

  CommandFactory(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public <K> K create(Class<K> cls) throws Exception {
    K object = CommandLine.defaultFactory().create(cls);
    if (object instanceof PsybergCommand command) {
      command.streams(out, err);
    }
    return object;
  }
}
