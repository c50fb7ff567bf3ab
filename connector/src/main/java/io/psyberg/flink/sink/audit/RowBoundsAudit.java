package io.psyberg.flink.sink.audit;

import org.apache.flink.annotation.Internal;

/** The staged row count lies within [min, max] (either bound optional). Metadata only. */
@Internal
public final class RowBoundsAudit implements Audit {
  private static final long serialVersionUID = 1L;

  private final Long min;
  private final Long max;

  public RowBoundsAudit(Long min, Long max) {
    this.min = min;
    this.max = max;
  }

  @Override
  public String name() {
    return min != null && max == null
        ? "min-rows"
        : max != null && min == null ? "max-rows" : "row-bounds";
  }

  @Override
  public AuditResult run(AuditContext ctx) {
    long rows = ctx.addedRecords();
    boolean passed = (min == null || rows >= min) && (max == null || rows <= max);
    String expected =
        (min == null ? "" : ">= " + min)
            + (min != null && max != null ? " and " : "")
            + (max == null ? "" : "<= " + max);
    return AuditResult.of(name(), passed, rows + " rows staged", expected + " rows");
  }
}
