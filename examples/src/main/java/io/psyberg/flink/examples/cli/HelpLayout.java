package io.psyberg.flink.examples.cli;

import java.util.List;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Help.Ansi.IStyle;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Help.ColorScheme;
import picocli.CommandLine.Help.IParamLabelRenderer;
import picocli.CommandLine.IHelpFactory;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Help texts that show options as {@code --table NS.T}, as the README and the design write them,
 * rather than picocli's {@code --table=NS.T}; both forms are accepted on the command line.
 */
final class HelpLayout implements IHelpFactory {

  @Override
  public Help create(CommandSpec spec, ColorScheme colors) {
    return new Help(spec, colors) {
      @Override
      public IParamLabelRenderer parameterLabelRenderer() {
        return new SpacedLabels(super.parameterLabelRenderer());
      }
    };
  }

  private record SpacedLabels(IParamLabelRenderer picocli) implements IParamLabelRenderer {
    @Override
    public Text renderParameterLabel(ArgSpec arg, Ansi ansi, List<IStyle> styles) {
      Text label = picocli.renderParameterLabel(arg, ansi, styles);
      String separator = picocli.separator();
      if (!separator.isEmpty() && label.plainString().startsWith(separator)) {
        return ansi.new Text(" ").concat(label.substring(separator.length()));
      }
      return label;
    }

    @Override
    public String separator() {
      return " ";
    }
  }
}
