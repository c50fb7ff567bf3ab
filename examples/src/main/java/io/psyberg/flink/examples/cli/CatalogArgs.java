package io.psyberg.flink.examples.cli;

import io.psyberg.flink.catalog.CatalogSpec;

/**
 * The catalog a command works on, from the common catalog options: every command opens its catalog
 * here, so a catalog option added to the CLI reaches all of them.
 */
public final class CatalogArgs {
  private CatalogArgs() {}

  /** The catalog named by the common options (today: the embedded catalog over --warehouse). */
  public static CatalogSpec spec(ParsedArgs args) throws UsageException {
    return CatalogSpec.embedded(args.required("warehouse"));
  }
}
