#!/usr/bin/env python3
"""Static checks of docker-compose.rest.yml (no Docker engine needed); run by check-compose.sh.

Parses the file as check_compose.py does (PyYAML cross-checked with its built-in parser) and checks what
the REST set-up relies on: MinIO with the bucket the catalog's warehouse names, Iceberg's REST catalog
image keeping its tables on MinIO through S3FileIO, the AWS SDK bundle fetched into a volume under each
Flink container's /opt/flink/lib/, the SQL connector jar (named after the project version), and each
Flink container's psyberg.catalog.* defaults pointing at the REST server with S3FileIO, with the
credentials in AWS_* variables rather than in FLINK_PROPERTIES.

Usage: check_compose_rest.py [--self-test] [--no-pyyaml]
Exit code 0 when every check passes, 1 otherwise (each failure is printed).
"""

import copy
import os
import sys

from check_compose import (HERE, IMAGE, FLINK_SERVICES, REPO, Checker, YamlError, parse_yaml,
                           set_flink_property)

FILE = os.path.join(HERE, "docker-compose.rest.yml")
S3_FILE_IO = "org.apache.iceberg.aws.s3.S3FileIO"
REST_URI = "http://rest:8181"
S3_ENDPOINT = "http://minio:9000"
AWS_LIB = "/opt/flink/lib/aws"
AWS_VOLUME = "flink-aws"


def env_of(svc):
    env = svc.get("environment") or {}
    if isinstance(env, list):
        env = dict(e.split("=", 1) for e in env if "=" in e)
    return env


def check_rest(checker, compose):
    services = compose.get("services") or {}
    for name in FLINK_SERVICES + ("rest", "minio", "mc", "aws-bundle"):
        checker.check(name in services, "service '%s' is missing" % name)
    rest = services.get("rest") or {}
    minio = services.get("minio") or {}
    mc = services.get("mc") or {}
    bundle = services.get("aws-bundle") or {}

    checker.check(str(rest.get("image", "")).startswith("apache/iceberg-rest-fixture"),
                  "rest: image must be apache/iceberg-rest-fixture, got %r" % rest.get("image"))
    renv = env_of(rest)
    checker.check(renv.get("CATALOG_IO__IMPL") == S3_FILE_IO,
                  "rest: CATALOG_IO__IMPL must be %s, got %r" % (S3_FILE_IO, renv.get("CATALOG_IO__IMPL")))
    checker.check(renv.get("CATALOG_S3_ENDPOINT") == S3_ENDPOINT,
                  "rest: CATALOG_S3_ENDPOINT must be %s, got %r" % (S3_ENDPOINT, renv.get("CATALOG_S3_ENDPOINT")))
    checker.check(str(renv.get("CATALOG_S3_PATH__STYLE__ACCESS")).lower() == "true",
                  "rest: CATALOG_S3_PATH__STYLE__ACCESS must be true (MinIO serves path-style)")
    warehouse = str(renv.get("CATALOG_WAREHOUSE", ""))
    bucket = warehouse[len("s3://"):].split("/")[0] if warehouse.startswith("s3://") else None
    checker.check(bucket, "rest: CATALOG_WAREHOUSE must be an s3:// location, got %r" % warehouse)
    checker.check(str(minio.get("image", "")).startswith("minio/minio"),
                  "minio: image must be minio/minio, got %r" % minio.get("image"))
    ports = [str(p) for p in minio.get("ports") or []]
    checker.check(any(p.split(":")[-1] == "9000" for p in ports), "minio: port 9000 is not published")
    checker.check(bucket and ("mb --ignore-existing minio/%s" % bucket) in str(mc.get("entrypoint", "")),
                  "mc: must create the warehouse's bucket %r (mc mb --ignore-existing minio/%s)" % (bucket, bucket))
    checker.check("iceberg-aws-bundle:1.6.0" in " ".join(str(w) for w in bundle.get("command") or []),
                  "aws-bundle: must fetch org.apache.iceberg:iceberg-aws-bundle:1.6.0 (the connector's Iceberg)")
    checker.check(AWS_VOLUME in (compose.get("volumes") or {}), "top-level volume '%s' is missing" % AWS_VOLUME)

    jar_path = os.path.join(REPO, "sql-connector", "target",
                            "psyberg-flink-sql-connector-%s.jar" % checker.project_version())
    for name in FLINK_SERVICES:
        svc = services.get(name) or {}
        checker.check(svc.get("image") == IMAGE, "%s: image must be %s, got %r" % (name, IMAGE, svc.get("image")))
        mounts = checker.mounts(svc)
        jars = [m for m in mounts if m.get("type") == "bind"
                and os.path.basename(str(m.get("source", ""))).startswith("psyberg-flink-sql-connector")]
        checker.check(len(jars) == 1 and checker.resolve(jars[0]["source"]) == jar_path
                      and os.path.dirname(str(jars[0].get("target"))) == "/opt/flink/lib",
                      "%s: expected the SQL connector jar %s mounted into /opt/flink/lib/" % (name, jar_path))
        checker.check(any(m.get("type") == "volume" and m.get("source") == AWS_VOLUME
                          and m.get("target") == AWS_LIB for m in mounts),
                      "%s: the volume '%s' (AWS SDK bundle) must be mounted at %s" % (name, AWS_VOLUME, AWS_LIB))
        props = checker.flink_properties(svc) or {}
        expected = {
            "jobmanager.rpc.address": "jobmanager",
            "psyberg.catalog.type": "rest",
            "psyberg.catalog.uri": REST_URI,
            "psyberg.catalog.io-impl": S3_FILE_IO,
            "psyberg.catalog.s3.endpoint": S3_ENDPOINT,
        }
        for key, value in expected.items():
            checker.check(props.get(key) == value,
                          "%s: FLINK_PROPERTIES %s must be %s, got %r" % (name, key, value, props.get(key)))
        secrets = [k for k in props if "secret" in k or "password" in k or "access-key" in k]
        checker.check(not secrets, "%s: credentials belong in AWS_* variables, not FLINK_PROPERTIES: %r"
                      % (name, secrets))
        env = env_of(svc)
        for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"):
            checker.check(var in env, "%s: %s is missing (S3FileIO reads its credentials and region from the AWS_* variables)" % (name, var))
        checker.check("$" not in str(env.get("FLINK_PROPERTIES", "")),
                      "%s: FLINK_PROPERTIES must not contain '$'" % name)
    jm_deps = (services.get("jobmanager") or {}).get("depends_on") or {}
    checker.check(isinstance(jm_deps, dict)
                  and (jm_deps.get("aws-bundle") or {}).get("condition") == "service_completed_successfully",
                  "jobmanager must depend on aws-bundle with condition service_completed_successfully")


def run(compose, quiet=False):
    checker = Checker(HERE)
    try:
        check_rest(checker, compose)
    except (KeyError, TypeError, AttributeError, ValueError) as e:
        checker.failures.append("crashed: %r" % e)
    if not quiet:
        for f in checker.failures:
            print("FAIL: " + f)
        print("docker-compose.rest.yml: %d passed, %d failed" % (checker.passed, len(checker.failures)))
    return checker.failures


def self_test(compose):
    """Each breaking change of the real file must be caught."""

    def svc(c, name):
        return c["services"][name]

    set_prop = set_flink_property

    mutations = {
        "REST server on local files": lambda c: svc(c, "rest")["environment"].pop("CATALOG_IO__IMPL"),
        "warehouse in an uncreated bucket": lambda c: svc(c, "rest")["environment"].update(
            CATALOG_WAREHOUSE="s3://other/"),
        "no AWS SDK on the taskmanager": lambda c: svc(c, "taskmanager").update(
            volumes=[m for m in svc(c, "taskmanager")["volumes"] if m.get("source") != AWS_VOLUME]),
        "jobmanager on another catalog": lambda c: set_prop(c, "jobmanager", "psyberg.catalog.uri", "http://x:1"),
        "a secret in FLINK_PROPERTIES": lambda c: set_prop(
            c, "sql-client", "psyberg.catalog.s3.secret-access-key", "password"),
        "no region for S3FileIO": lambda c: svc(c, "taskmanager")["environment"].pop("AWS_REGION"),
        "minio service missing": lambda c: c["services"].pop("minio"),
    }
    ok = True
    for name, mutate in mutations.items():
        mutated = copy.deepcopy(compose)
        mutate(mutated)
        failures = run(mutated, quiet=True)
        if failures:
            print("self-test (rest): %-34s caught: %s" % (name, failures[0][:100]))
        else:
            print("SELF-TEST FAILED: %r was not caught" % name)
            ok = False
    return ok


def main(argv):
    try:
        compose, how = parse_yaml(FILE, "--no-pyyaml" not in argv)
    except (YamlError, OSError, ValueError) as e:
        print("FAIL: cannot parse %s: %s" % (FILE, e))
        return 1
    print("docker-compose.rest.yml parsed with: %s" % how)
    ok = not run(compose)
    if "--self-test" in argv:
        ok = self_test(compose) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
