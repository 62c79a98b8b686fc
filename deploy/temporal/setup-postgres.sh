#!/bin/sh
# Creates Temporal's two databases and brings their schemas to the version of the image/binary:
# the `temporal-sql-tool` steps of temporalio/samples-server's compose/scripts/setup-postgres.sh.
# Run by the temporal-admin-tools job of docker-compose.yml, and by cli/provision/temporal-postgres.ts
# (with the tool and the schema files it built), so both topologies set up the same way.
# Safe to run again: an existing database is kept, and setup/update-schema skip what is applied.
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS (the Postgres host) is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
PLUGIN=${DB:-postgres12}
SCHEMA_DIR=${SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}

sql() {
  temporal-sql-tool --plugin "$PLUGIN" --ep "$POSTGRES_SEEDS" -p "${DB_PORT:-5432}" \
    -u "$POSTGRES_USER" --pw "${POSTGRES_PWD:-}" "$@"
}

setup() { # database name, schema folder
  if ! out=$(sql --db "$1" create-database 2>&1); then
    case "$out" in
      *"already exists"*) echo "database $1 exists" ;;
      *) echo "$out" >&2; exit 1 ;;
    esac
  fi
  sql --db "$1" setup-schema -v 0.0
  sql --db "$1" update-schema -d "$SCHEMA_DIR/$2/versioned"
}

setup "${DBNAME:-temporal}" temporal
setup "${VISIBILITY_DBNAME:-temporal_visibility}" visibility
echo "Temporal schema ready in ${DBNAME:-temporal} and ${VISIBILITY_DBNAME:-temporal_visibility}"
