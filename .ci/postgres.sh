#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the shared-store tests (tests/cluster.rs):
#   .ci/postgres.sh start DIR   initdb in DIR, serve on a Unix socket in DIR only (no TCP),
#                               print the connection URL the tests take as TINDEX_TEST_POSTGRES
#   .ci/postgres.sh stop DIR    stop it (the directory is left for the caller to remove)
# Debian's `postgresql` package is installed when no initdb is found. PostgreSQL refuses to
# run as root, so as root the cluster belongs to the `postgres` user, with a superuser role
# named after the caller.
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?directory}

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] && [ "$cmd" = start ]; then
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
me=$(id -un)
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o \
        "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off -c max_connections=200" \
        start >/dev/null
    if [ "$me" != postgres ]; then
        "$bin/psql" -h "$dir" -U postgres -d postgres -qc "CREATE ROLE \"$me\" SUPERUSER LOGIN" >/dev/null
    fi
    enc=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$dir")
    echo "postgresql://$me@$enc/postgres"
    ;;
stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
