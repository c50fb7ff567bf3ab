package io.psyberg.flink.table;

import io.psyberg.flink.sink.audit.Audit;
import io.psyberg.flink.sink.audit.AuditContext;
import io.psyberg.flink.sink.audit.AuditResult;
import java.util.List;

/** A user audit loaded by class name from SQL: account 7 must not appear in the staged rows. */
public class NoAccountSevenAudit implements Audit {
  @Override
  public String name() {
    return "no-account-seven";
  }

  @Override
  public AuditResult run(AuditContext context) throws Exception {
    long sevens =
        context.readStaged(List.of("account_id")).stream()
            .filter(r -> Long.valueOf(7).equals(r.getField("account_id")))
            .count();
    return AuditResult.of(
        name(), sevens == 0, sevens + " rows of account 7", "0 rows of account 7");
  }
}
