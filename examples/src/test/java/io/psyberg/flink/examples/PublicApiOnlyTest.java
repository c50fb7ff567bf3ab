package io.psyberg.flink.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.shaded.asm9.org.objectweb.asm.AnnotationVisitor;
import org.apache.flink.shaded.asm9.org.objectweb.asm.ClassReader;
import org.apache.flink.shaded.asm9.org.objectweb.asm.ClassVisitor;
import org.apache.flink.shaded.asm9.org.objectweb.asm.Opcodes;
import org.apache.flink.shaded.asm9.org.objectweb.asm.Type;
import org.junit.jupiter.api.Test;

/**
 * The examples show how to use psyberg, so they use only the connector's API: every connector class
 * they import is {@code @PublicEvolving}.
 */
class PublicApiOnlyTest {
  private static final Pattern IMPORT =
      Pattern.compile("^import (io\\.psyberg\\.flink\\.[\\w.]+);", Pattern.MULTILINE);

  @Test
  void examplesImportOnlyPublicConnectorClasses() throws Exception {
    Path sources = Path.of("src", "main", "java", "io", "psyberg", "flink", "examples");
    TreeSet<String> imported = new TreeSet<>();
    try (Stream<Path> files = Files.walk(sources)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (!f.toString().endsWith(".java")) {
          continue;
        }
        Matcher m = IMPORT.matcher(Files.readString(f));
        while (m.find()) {
          String name = m.group(1);
          if (!name.startsWith("io.psyberg.flink.examples.")
              && !name.startsWith("io.psyberg.flink.stateful.")) {
            imported.add(name);
          }
        }
      }
    }
    List<String> internal = new ArrayList<>();
    for (String name : imported) {
      if (!isPublicEvolving(load(name))) {
        internal.add(name);
      }
    }
    assertThat(imported).contains("io.psyberg.flink.source.PsybergSource");
    assertThat(internal).as("connector classes used by examples but not @PublicEvolving").isEmpty();
  }

  /** Flink's API annotations stay in the class file only, so they are read from the bytecode. */
  private static boolean isPublicEvolving(Class<?> c) throws Exception {
    String wanted = Type.getDescriptor(PublicEvolving.class);
    boolean[] found = {false};
    new ClassReader(c.getName())
        .accept(
            new ClassVisitor(Opcodes.ASM9) {
              @Override
              public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
                found[0] |= wanted.equals(descriptor);
                return null;
              }
            },
            ClassReader.SKIP_CODE);
    return found[0];
  }

  /** A top-level or nested class named as in an import. */
  private static Class<?> load(String name) throws ClassNotFoundException {
    try {
      return Class.forName(name, false, PublicApiOnlyTest.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      int dot = name.lastIndexOf('.');
      return load(name.substring(0, dot) + "$" + name.substring(dot + 1));
    }
  }
}
