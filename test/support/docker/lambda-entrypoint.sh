#!/bin/sh
# STAND-IN for provided:al2023's /lambda-entrypoint.sh (test only), with its
# contract: the one argument (CMD) is the handler; outside Lambda (no
# AWS_LAMBDA_RUNTIME_API) the bootstrap runs behind the emulator.
if [ $# -ne 1 ]; then
  echo "entrypoint requires the handler name to be the first argument" 1>&2
  exit 142
fi
export _HANDLER="$1"

RUNTIME_ENTRYPOINT=/var/runtime/bootstrap
if [ -z "${AWS_LAMBDA_RUNTIME_API}" ]; then
  exec /usr/local/bin/aws-lambda-rie "$RUNTIME_ENTRYPOINT"
else
  exec "$RUNTIME_ENTRYPOINT"
fi
