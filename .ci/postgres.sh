#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster when the server binaries are installed and print its URL;
# print nothing (and succeed) when it cannot, so the PostgreSQL test is skipped with its reason.
set -u
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] || exit 0
data=$(mktemp -d /tmp/congvan_pg.XXXXXX)
# A free port unless one is given: a cluster left running by an earlier run must not hide this one.
port=${CONGVAN_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
as_user=()
if [ "$(id -u)" = 0 ]; then  # PostgreSQL refuses to run as root
  id congvan_ci >/dev/null 2>&1 || useradd --no-create-home congvan_ci >/dev/null 2>&1 || exit 0
  chown congvan_ci "$data"
  as_user=(runuser -u congvan_ci --)
fi
"${as_user[@]}" "$pg_bin/initdb" -D "$data" -A trust -U postgres >/dev/null 2>&1 || exit 0
"${as_user[@]}" "$pg_bin/pg_ctl" -D "$data" -o "-p $port -k $data -c listen_addresses=127.0.0.1" -l "$data/log" -w start >/dev/null 2>&1 || exit 0
"$pg_bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE congvan_test" >/dev/null 2>&1 || exit 0
echo "postgresql://postgres@127.0.0.1:$port/congvan_test"
