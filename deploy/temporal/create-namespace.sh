#!/bin/sh
# Registers the namespace the app uses (TEMPORAL_NAMESPACE, `default`) once the server answers:
# the temporal-create-namespace job of docker-compose.yml, as in temporalio/samples-server.
# cli/provision/temporal-postgres.ts does the same through the gRPC API.
set -eu
NAMESPACE=${DEFAULT_NAMESPACE:-default}
attempt=1
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
  if [ "$attempt" -ge 60 ]; then echo "Temporal at $TEMPORAL_ADDRESS is not healthy" >&2; exit 1; fi
  attempt=$((attempt + 1))
  sleep 2
done
if temporal operator namespace describe -n "$NAMESPACE" --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; then
  echo "namespace $NAMESPACE exists"
else
  temporal operator namespace create -n "$NAMESPACE" --retention "${RETENTION:-72h}" --address "$TEMPORAL_ADDRESS"
fi
