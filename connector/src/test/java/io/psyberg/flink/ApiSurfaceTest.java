package io.psyberg.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.sink.PsybergSink;
import io.psyberg.flink.source.PsybergSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.shaded.asm9.org.objectweb.asm.AnnotationVisitor;
import org.apache.flink.shaded.asm9.org.objectweb.asm.ClassReader;
import org.apache.flink.shaded.asm9.org.objectweb.asm.ClassVisitor;
import org.apache.flink.shaded.asm9.org.objectweb.asm.Opcodes;
import org.apache.flink.shaded.asm9.org.objectweb.asm.Type;
import org.junit.jupiter.api.Test;

/**
 * Every public class of the connector says whether it is API ({@code @PublicEvolving}) or not
 * ({@code @Internal}), so the surface users may build on stays small and explicit. Flink's
 * annotations are kept in the class files only, so the check reads the bytecode.
 */
class ApiSurfaceTest {
  private static final List<String> MARKS =
      List.of(Type.getDescriptor(PublicEvolving.class), Type.getDescriptor(Internal.class));

  @Test
  void everyPublicClassIsMarkedApiOrInternal() throws Exception {
    Path classes =
        Path.of(PsybergSource.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Path> files;
    try (Stream<Path> all = Files.walk(classes)) {
      files =
          all.filter(p -> p.toString().endsWith(".class") && !p.toString().contains("$"))
              .sorted()
              .collect(Collectors.toList());
    }
    List<String> unmarked = new ArrayList<>();
    for (Path f : files) {
      Marks marks = new Marks();
      new ClassReader(Files.readAllBytes(f)).accept(marks, ClassReader.SKIP_CODE);
      if (marks.isPublic && !marks.marked) {
        unmarked.add(marks.name);
      }
    }
    assertThat(files).hasSizeGreaterThan(50);
    assertThat(unmarked)
        .as("public classes marked neither @PublicEvolving nor @Internal")
        .isEmpty();
  }

  @Test
  void theEntryPointsAreApi() throws Exception {
    for (Class<?> c : List.of(PsybergSource.class, PsybergSink.class)) {
      Marks marks = new Marks();
      new ClassReader(c.getName()).accept(marks, ClassReader.SKIP_CODE);
      assertThat(marks.publicEvolving).as(c.getName()).isTrue();
    }
  }

  /** Reads a class's access flags and class-level annotations. */
  private static final class Marks extends ClassVisitor {
    String name;
    boolean isPublic;
    boolean marked;
    boolean publicEvolving;

    Marks() {
      super(Opcodes.ASM9);
    }

    @Override
    public void visit(
        int version,
        int access,
        String internalName,
        String signature,
        String superName,
        String[] interfaces) {
      name = internalName.replace('/', '.');
      isPublic = (access & Opcodes.ACC_PUBLIC) != 0;
    }

    @Override
    public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
      marked |= MARKS.contains(descriptor);
      publicEvolving |= MARKS.get(0).equals(descriptor);
      return null;
    }
  }
}
