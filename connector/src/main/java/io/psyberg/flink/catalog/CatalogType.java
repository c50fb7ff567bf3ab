package io.psyberg.flink.catalog;

import static org.apache.flink.configuration.description.TextElement.text;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

/** The Iceberg catalogs psyberg opens by type (option {@code catalog-type}). */
@PublicEvolving
public enum CatalogType implements DescribedEnum {
  HADOOP("hadoop", "A warehouse folder; the embedded default."),
  JDBC("jdbc", "Iceberg's JDBC catalog; needs 'uri' and 'warehouse'."),
  REST("rest", "An Iceberg REST catalog; needs 'uri'."),
  HIVE("hive", "A Hive metastore.");

  private final String value;
  private final String description;

  CatalogType(String value, String description) {
    this.value = value;
    this.description = description;
  }

  @Override
  public String toString() {
    return value;
  }

  @Override
  public InlineElement getDescription() {
    return text(description);
  }
}
