package io.psyberg.flink.examples.jobs;

import io.psyberg.flink.catalog.CatalogSpec;
import org.apache.iceberg.catalog.Catalog;

/** An opened catalog that closes it (where the catalog needs closing) in try-with-resources. */
public final class CatalogHandle implements AutoCloseable {
  private final CatalogSpec spec;
  private final Catalog catalog;

  private CatalogHandle(CatalogSpec spec, Catalog catalog) {
    this.spec = spec;
    this.catalog = catalog;
  }

  public static CatalogHandle open(CatalogSpec spec) {
    return new CatalogHandle(spec, spec.open());
  }

  public CatalogSpec spec() {
    return spec;
  }

  public Catalog catalog() {
    return catalog;
  }

  @Override
  public void close() throws Exception {
    CatalogSpec.close(catalog);
  }
}
