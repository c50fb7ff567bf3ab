#!/usr/bin/env bash
# Validates docker-compose.yml, docker-compose.application.yml and docker-compose.rest.yml without a
# Docker engine (check_compose_rest.py checks the REST one):
# check_compose.py parses them (PyYAML when installed, cross-checked with a built-in YAML-subset
# parser that needs nothing) and checks the services, the Flink 1.18.1 image, the SQL connector jar
# mount (named after the project version), the shared warehouse volume and FLINK_PROPERTIES; its
# self-test then breaks the file in several ways and expects each to be caught.
# Where the docker CLI exists, 'docker compose config' validates the files against the Compose spec too.
# Exit code: 0 when everything passed, non-zero otherwise.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

command -v python3 >/dev/null || { echo "check-compose: python3 is needed" >&2; exit 2; }
python3 check_compose.py --self-test
# The REST catalog set-up (docker-compose.rest.yml: Flink + Iceberg's REST catalog + MinIO).
python3 check_compose_rest.py --self-test

if command -v docker >/dev/null && docker compose version >/dev/null 2>&1; then
  docker compose -f docker-compose.yml config -q
  docker compose -f docker-compose.yml -f docker-compose.application.yml config -q
  docker compose -f docker-compose.rest.yml config -q
  echo "docker compose config: all files valid"
else
  echo "docker compose config: skipped (no docker CLI with the compose plugin here)"
fi
echo "check-compose: OK"
