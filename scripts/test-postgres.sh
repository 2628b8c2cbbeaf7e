#!/usr/bin/env bash
# A private PostgreSQL cluster for one test run: `scripts/test-postgres.sh run CMD...` makes a
# cluster in a temporary folder (initdb, as a non-root user), starts it on a Unix socket in
# that folder and on a free loopback port, runs CMD with NEWSLETTER_TEST_POSTGRES_SOCKET and
# NEWSLETTER_TEST_POSTGRES_PORT set, then stops the server and removes the folder, whatever
# CMD did. CMD's exit status is the script's.
#
# Superuser "postgres" logs in without a password over the socket (the tests create a
# database each with it); role "newsletter_pw" needs its password (test-password) over TCP.
# TCP offers TLS with a certificate for 127.0.0.1 and localhost signed by a CA made here
# (NEWSLETTER_TEST_POSTGRES_CA); NEWSLETTER_TEST_POSTGRES_OTHER_CA signed nothing.
set -euo pipefail

# `scripts/test-postgres.sh serve FILE` starts a cluster the same way, writes its settings to
# FILE (shell assignments) and runs until it is sent SIGTERM: for a test that restarts its own
# server without disturbing the others'.
mode=${1:-}
if [[ ! ( $mode == run && $# -ge 2 ) && ! ( $mode == serve && $# -eq 2 ) ]]; then
  echo "usage: $0 run COMMAND [ARGS...] | $0 serve FILE" >&2
  exit 64
fi
shift

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z $bindir || ! -x $bindir/initdb ]]; then
  echo "test-postgres: PostgreSQL is not installed; 'make deps' installs Debian's postgresql" >&2
  exit 69
fi

dir=$(mktemp -d /tmp/newsletter-pg.XXXXXX)
# initdb refuses to run as root: the cluster belongs to an unprivileged user.
if [[ $(id -u) == 0 ]]; then
  owner=postgres
  id -u "$owner" >/dev/null 2>&1 || owner=nobody
  chown "$owner" "$dir"
  as_owner() { runuser -u "$owner" -- "$@"; }
else
  as_owner() { "$@"; }
fi
chmod 755 "$dir"

stop() {
  as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM

# A throw-away CA and the server's certificate.
tls() { openssl "$@" >/dev/null 2>&1; }
tls req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=newsletter test CA" \
  -keyout "$dir/ca.key" -out "$dir/ca.pem"
tls req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=another CA" \
  -keyout "$dir/other-ca.key" -out "$dir/other-ca.pem"
tls req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=127.0.0.1" -keyout "$dir/server.key" -out "$dir/server.csr"
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$dir/san.ext"
tls x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 2 -extfile "$dir/san.ext" \
  -out "$dir/server.pem"
if [[ ! -s $dir/server.pem ]]; then
  echo "test-postgres: openssl could not make the test certificates" >&2
  exit 69
fi
chmod 600 "$dir/server.key"
[[ $(id -u) == 0 ]] && chown "$owner" "$dir/server.key"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=trust --encoding=UTF8 --locale=C.UTF-8 \
  >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 69; }
# The password role first: pg_hba.conf takes the first matching line.
sed -i '1i host all newsletter_pw 127.0.0.1/32 scram-sha-256' "$dir/data/pg_hba.conf"
# 127.0.0.2: the same server by an address its certificate does not name.
echo 'host all all 127.0.0.2/32 trust' >>"$dir/data/pg_hba.conf"
cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1,127.0.0.2'
port = $port
unix_socket_directories = '$dir'
max_connections = 300
ssl = on
ssl_cert_file = '$dir/server.pem'
ssl_key_file = '$dir/server.key'
CONF
# The tests need no durability; make bench (NEWSLETTER_TEST_POSTGRES_DURABLE=1) compares
# commits that reach the disk, as SQLite's do.
if [[ -z ${NEWSLETTER_TEST_POSTGRES_DURABLE:-} ]]; then
  printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n' >>"$dir/data/postgresql.conf"
fi
as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 120 start >/dev/null \
  || { cat "$dir/server.log" >&2; exit 69; }
"$bindir/psql" -h "$dir" -p "$port" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE newsletter_pw LOGIN PASSWORD 'test-password'" >/dev/null

if [[ $mode == serve ]]; then
  printf 'socket=%s\nport=%s\nbindir=%s\nowner=%s\n' "$dir" "$port" "$bindir" "${owner:-}" >"$1.tmp"
  mv "$1.tmp" "$1"
  while true; do sleep 1; done
fi

export NEWSLETTER_TEST_POSTGRES_SOCKET=$dir
export NEWSLETTER_TEST_POSTGRES_PORT=$port
export NEWSLETTER_TEST_POSTGRES_CA=$dir/ca.pem
export NEWSLETTER_TEST_POSTGRES_OTHER_CA=$dir/other-ca.pem
set +e
"$@"
status=$?
set -e
exit $status
