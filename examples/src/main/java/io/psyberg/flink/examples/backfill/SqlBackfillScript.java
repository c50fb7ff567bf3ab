package io.psyberg.flink.examples.backfill;

import io.psyberg.flink.examples.sql.SqlScript;
import io.psyberg.flink.examples.sql.SqlScriptException;
import io.psyberg.flink.examples.sql.SqlStatement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SQL script of a {@code --job sql} backfill as written: its statements, the placeholders it
 * may use ({@code ${backfill.from}}, {@code ${backfill.to}}, {@code ${backfill.id}}) and the target
 * time columns it declares with {@code SET 'psyberg.backfill.time-column' = 'COL'} (or {@code SET
 * 'psyberg.backfill.time-column.NS.TABLE' = 'COL'} for one target).
 */
final class SqlBackfillScript {
  /** Prefix of the backfill's own settings, which the script sets and Flink does not read. */
  static final String SETTINGS_PREFIX = "psyberg.backfill.";

  static final String TIME_COLUMN = SETTINGS_PREFIX + "time-column";
  static final String CHUNKS_PER_JOB = SETTINGS_PREFIX + "chunks-per-job";
  static final String PLACEHOLDERS = SETTINGS_PREFIX + "placeholders";

  /** Chunks (days) run as one Flink job unless the script sets {@link #CHUNKS_PER_JOB}. */
  static final int DEFAULT_CHUNKS_PER_JOB = 31;

  static final String FROM = "backfill.from";
  static final String TO = "backfill.to";
  static final String ID = "backfill.id";

  /** The bounds {@code --all} gives the placeholders: Flink's TIMESTAMP range. */
  private static final LocalDateTime MIN = LocalDateTime.parse("0001-01-01T00:00:00");

  private static final LocalDateTime MAX = LocalDateTime.parse("9999-12-31T23:59:59.999999");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
  private static final Pattern SET =
      Pattern.compile("SET\\s+'([^']+)'\\s*=\\s*'([^']*)'", Pattern.CASE_INSENSITIVE);
  private static final DateTimeFormatter LITERAL =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

  private final Path file;
  private final List<SqlStatement> statements;
  private final Map<String, String> settings = new LinkedHashMap<>();

  private SqlBackfillScript(Path file, List<SqlStatement> statements) {
    this.file = file;
    this.statements = statements;
    for (SqlStatement s : statements) {
      Matcher m = SET.matcher(s.code());
      if (m.matches()) {
        settings.put(m.group(1), m.group(2));
      }
    }
  }

  /**
   * Reads and checks the script: it splits, uses only known placeholders, and has an INSERT.
   *
   * @throws SqlBackfillException naming the file and what to change
   */
  static SqlBackfillScript read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new SqlBackfillException(
          "backfill script " + file + " does not exist: give the script's path with --file");
    } catch (IOException e) {
      throw new SqlBackfillException("cannot read backfill script " + file + ": " + e.getMessage());
    }
    List<SqlStatement> statements;
    try {
      statements = SqlScript.split(text);
    } catch (SqlScriptException e) {
      throw new SqlBackfillException(
          "cannot split backfill script " + file + " into statements: " + e.getMessage());
    }
    SqlBackfillScript script = new SqlBackfillScript(file, statements);
    boolean inserts = false;
    for (SqlStatement s : statements) {
      Matcher m = PLACEHOLDER.matcher(s.text());
      while (m.find()) {
        String name = m.group(1);
        if (!name.equals(FROM) && !name.equals(TO) && !name.equals(ID)) {
          throw script.error(
              s,
              "uses the unknown placeholder ${"
                  + name
                  + "}: the placeholders are ${backfill.from}, ${backfill.to} and ${backfill.id}");
        }
      }
      inserts |= s.code().toUpperCase(Locale.ROOT).contains("INSERT ");
    }
    if (!inserts) {
      throw new SqlBackfillException(
          "backfill script "
              + file
              + " has no INSERT: a backfill script computes the process's output with INSERT INTO"
              + " <target> SELECT ..., one for every target of the process");
    }
    return script;
  }

  Path file() {
    return file;
  }

  /**
   * The statements with the placeholders replaced for one chunk: {@code ${backfill.from}} and
   * {@code ${backfill.to}} become TIMESTAMP literals of the chunk's range {@code [from, to)}.
   */
  List<SqlStatement> statements(BackfillRange chunk, String backfillId) {
    Map<String, String> values =
        Map.of(
            FROM, literal(chunk.from() == null ? MIN : chunk.from()),
            TO, literal(chunk.to() == null ? MAX : chunk.to()),
            ID, "'" + backfillId + "'");
    List<SqlStatement> out = new ArrayList<>();
    for (SqlStatement s : statements) {
      out.add(
          new SqlStatement(substitute(s.text(), values), substitute(s.code(), values), s.line()));
    }
    return out;
  }

  /**
   * Whether the statement sets one of the backfill's own settings ({@code psyberg.backfill.*}),
   * which are read here and mean nothing to Flink.
   */
  boolean isBackfillSetting(SqlStatement statement) {
    Matcher m = SET.matcher(statement.code());
    return m.matches() && m.group(1).startsWith(SETTINGS_PREFIX);
  }

  /**
   * Whether the chunks of one job may be planned in one SQL session in which the statements other
   * than INSERTs run once: none of them uses a placeholder (so they are the same for every chunk),
   * and no SET or RESET follows an INSERT (which would plan the next chunk's INSERTs in another
   * configuration than its own run of the script).
   */
  boolean chunksShareSession() {
    boolean afterInsert = false;
    for (SqlStatement s : statements) {
      String code = s.code().trim().toUpperCase(Locale.ROOT);
      if (code.startsWith("INSERT") || code.startsWith("EXECUTE")) {
        afterInsert = true;
      } else if (PLACEHOLDER.matcher(s.code()).find()) {
        return false;
      } else if (afterInsert
          && !isBackfillSetting(s)
          && (code.startsWith("SET") || code.startsWith("RESET"))) {
        return false;
      }
    }
    return true;
  }

  /** The event-time column of target {@code table} ({@code ns.table}) that the script declares. */
  Optional<String> timeColumn(String table) {
    String specific = settings.get(TIME_COLUMN + "." + table);
    return Optional.ofNullable(specific != null ? specific : settings.get(TIME_COLUMN));
  }

  /**
   * How many chunks run as one Flink job: {@code SET 'psyberg.backfill.chunks-per-job' = 'N'},
   * default {@value #DEFAULT_CHUNKS_PER_JOB}. More chunks per job save a job start each; fewer
   * commit progress more often, and a kill loses at most one job's chunks.
   *
   * @throws SqlBackfillException when the value is not a whole number of at least 1
   */
  int chunksPerJob() {
    String value = settings.get(CHUNKS_PER_JOB);
    if (value == null) {
      return DEFAULT_CHUNKS_PER_JOB;
    }
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new SqlBackfillException(
        String.format(
            "backfill script %s sets '%s' to '%s': give a whole number of chunks of at least 1,"
                + " e.g. SET '%s' = '7';",
            file, CHUNKS_PER_JOB, value, CHUNKS_PER_JOB));
  }

  /**
   * Whether {@code ${backfill.from|to}} take the range of the whole job (all its chunks, the script
   * planned once) rather than each chunk's: {@code SET 'psyberg.backfill.placeholders' = 'job'}
   * (default {@code 'chunk'}). Only for scripts whose rows of a day do not depend on which other
   * days the range holds (row by row, or grouped within a day).
   *
   * @throws SqlBackfillException when the value is neither {@code chunk} nor {@code job}
   */
  boolean placeholdersPerJob() {
    String value = settings.getOrDefault(PLACEHOLDERS, "chunk");
    if (value.equals("chunk") || value.equals("job")) {
      return value.equals("job");
    }
    throw new SqlBackfillException(
        String.format(
            "backfill script %s sets '%s' to '%s': give 'chunk' (each chunk's range, the default)"
                + " or 'job' (the range of all chunks of a job, for scripts whose rows of a day do"
                + " not depend on the other days)",
            file, PLACEHOLDERS, value));
  }

  /** An error about one statement: names the file, the statement and its line. */
  SqlBackfillException error(SqlStatement statement, String what) {
    return new SqlBackfillException(
        String.format(
            "backfill script %s, statement on line %d (%s) %s",
            file, statement.line(), statement.abbreviated(), what));
  }

  private static String literal(LocalDateTime time) {
    return "TIMESTAMP '" + LITERAL.format(time) + "'";
  }

  private static String substitute(String text, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, Matcher.quoteReplacement(values.get(m.group(1))));
    }
    m.appendTail(sb);
    return sb.toString();
  }
}
