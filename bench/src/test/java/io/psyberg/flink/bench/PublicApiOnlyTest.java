package io.psyberg.flink.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.shaded.asm9.org.objectweb.asm.AnnotationVisitor;
import org.apache.flink.shaded.asm9.org.objectweb.asm.ClassReader;
import org.apache.flink.shaded.asm9.org.objectweb.asm.ClassVisitor;
import org.apache.flink.shaded.asm9.org.objectweb.asm.FieldVisitor;
import org.apache.flink.shaded.asm9.org.objectweb.asm.MethodVisitor;
import org.apache.flink.shaded.asm9.org.objectweb.asm.Opcodes;
import org.apache.flink.shaded.asm9.org.objectweb.asm.Type;
import org.junit.jupiter.api.Test;

/**
 * bench measures psyberg as a user would run it, so it uses only the connector's API: every
 * connector class its compiled code refers to is {@code @PublicEvolving}, and no member it calls or
 * reads is {@code @Internal}. Flink's API annotations stay in the class file only, so both sides
 * are read from the bytecode.
 */
class PublicApiOnlyTest {
  private static final String CONNECTOR = "io/psyberg/flink/";
  private static final String PUBLIC = Type.getDescriptor(PublicEvolving.class);
  private static final String INTERNAL = Type.getDescriptor(Internal.class);

  /**
   * Uses of internal API (a class, or a class's member) that bench keeps on purpose, with the
   * reason. The session log benchmark builds sessions and records them as psyberg's own source and
   * sink do; no public entry point records one without running a job per session.
   */
  private static final Map<String, String> KEPT =
      Map.of(
          "io/psyberg/flink/metadata/SessionLog.record",
          "SessionLogBenchmark times the session log's upsert itself",
          "io/psyberg/flink/session/Session$Builder",
          "SessionLogBenchmark builds the sessions it records");

  @Test
  void benchUsesOnlyPublicConnectorApi() throws Exception {
    Map<String, TreeSet<String>> used = new TreeMap<>();
    try (Stream<Path> files = Files.walk(Path.of("target", "classes"))) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (f.toString().endsWith(".class")) {
          try (InputStream in = Files.newInputStream(f)) {
            new ClassReader(in).accept(new Uses(used), 0);
          }
        }
      }
    }
    TreeSet<String> internal = new TreeSet<>();
    for (Map.Entry<String, TreeSet<String>> e : used.entrySet()) {
      String owner = e.getKey();
      Annotations a = Annotations.of(owner);
      if (!a.publicClass && !KEPT.containsKey(owner)) {
        internal.add(owner.replace('/', '.'));
        continue;
      }
      for (String member : e.getValue()) {
        if (a.internalMembers.contains(member) && !KEPT.containsKey(owner + "." + member)) {
          internal.add(owner.replace('/', '.') + "." + member);
        }
      }
    }
    assertThat(used).containsKey("io/psyberg/flink/source/PsybergSource");
    assertThat(used).containsKey("io/psyberg/flink/sink/PsybergSink");
    assertThat(internal).as("connector API used by bench but not public").isEmpty();
  }

  /** Whether a class name is the connector's (not bench, examples or the stateful operators). */
  private static boolean connector(String internalName) {
    return internalName.startsWith(CONNECTOR)
        && !internalName.startsWith(CONNECTOR + "bench/")
        && !internalName.startsWith(CONNECTOR + "examples/")
        && !internalName.startsWith(CONNECTOR + "stateful/");
  }

  /** Collects the connector classes bench refers to, and the members it calls or reads. */
  private static final class Uses extends ClassVisitor {
    private final Map<String, TreeSet<String>> used;

    Uses(Map<String, TreeSet<String>> used) {
      super(Opcodes.ASM9);
      this.used = used;
    }

    private void type(Type t) {
      while (t.getSort() == Type.ARRAY) {
        t = t.getElementType();
      }
      if (t.getSort() == Type.OBJECT) {
        owner(t.getInternalName());
      } else if (t.getSort() == Type.METHOD) {
        type(t.getReturnType());
        for (Type arg : t.getArgumentTypes()) {
          type(arg);
        }
      }
    }

    private TreeSet<String> owner(String name) {
      return connector(name) ? used.computeIfAbsent(name, k -> new TreeSet<>()) : new TreeSet<>();
    }

    @Override
    public void visit(
        int version, int access, String name, String sig, String superName, String[] interfaces) {
      if (superName != null) {
        owner(superName);
      }
      for (String i : interfaces) {
        owner(i);
      }
    }

    @Override
    public FieldVisitor visitField(
        int access, String name, String descriptor, String signature, Object value) {
      type(Type.getType(descriptor));
      return null;
    }

    @Override
    public MethodVisitor visitMethod(
        int access, String name, String descriptor, String signature, String[] exceptions) {
      type(Type.getMethodType(descriptor));
      return new MethodVisitor(Opcodes.ASM9) {
        @Override
        public void visitMethodInsn(
            int opcode, String owner, String name, String descriptor, boolean isInterface) {
          type(Type.getMethodType(descriptor));
          if (!owner.startsWith("[")) {
            owner(owner).add(name);
          }
        }

        @Override
        public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
          type(Type.getType(descriptor));
          owner(owner).add(name);
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
          type(Type.getObjectType(type));
        }

        @Override
        public void visitLdcInsn(Object value) {
          if (value instanceof Type t) {
            type(t);
          }
        }
      };
    }
  }

  /** A connector class's API annotations: on the class, and the members marked internal. */
  private static final class Annotations extends ClassVisitor {
    boolean publicClass;
    final TreeSet<String> internalMembers = new TreeSet<>();

    private Annotations() {
      super(Opcodes.ASM9);
    }

    static Annotations of(String internalName) throws Exception {
      Annotations a = new Annotations();
      new ClassReader(internalName.replace('/', '.')).accept(a, ClassReader.SKIP_CODE);
      return a;
    }

    @Override
    public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
      publicClass |= PUBLIC.equals(descriptor);
      return null;
    }

    @Override
    public MethodVisitor visitMethod(
        int access, String name, String descriptor, String signature, String[] exceptions) {
      return new MethodVisitor(Opcodes.ASM9) {
        @Override
        public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
          if (INTERNAL.equals(annotation)) {
            internalMembers.add(name);
          }
          return null;
        }
      };
    }

    @Override
    public FieldVisitor visitField(
        int access, String name, String descriptor, String signature, Object value) {
      return new FieldVisitor(Opcodes.ASM9) {
        @Override
        public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
          if (INTERNAL.equals(annotation)) {
            internalMembers.add(name);
          }
          return null;
        }
      };
    }
  }
}
