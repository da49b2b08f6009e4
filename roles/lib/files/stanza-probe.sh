#!/bin/sh
# pgplay: what pgBackRest's stanza of a cluster and the local instance look like, as key=value
# lines (role, archive_command, sysid, version, marker, repo_host, info_rc), then `---info---` and
# `pgbackrest info` JSON. Run by the dbsu (roles/pgbackrest pgbackrest_init, roles/pg_pitr followup):
#
#   sh -c "$(cat stanza-probe.sh)" stanza-probe SOCKET PORT BIN_DIR DATA STANZA MARKER CONF
export LC_ALL=C
socket=$1 port=$2 bin=$3 data=$4 stanza=$5 marker=$6 conf=$7
r=$(psql -h "$socket" -p "$port" -AXtqc 'SELECT pg_is_in_recovery()' postgres 2>/dev/null)
case "$r" in t) echo role=replica ;; f) echo role=primary ;; *) echo role=down ;; esac
echo "archive_command=$(psql -h "$socket" -p "$port" -AXtqc 'SHOW archive_command' postgres 2>/dev/null)"
"$bin/pg_controldata" "$data" 2>/dev/null | sed -n 's/^Database system identifier: *\([0-9]*\).*/sysid=\1/p'
echo "version=$(cat "$data/PG_VERSION" 2>/dev/null)"
echo "marker=$(head -n1 "$marker" 2>/dev/null)"
if grep -q '^repo1-host=' "$conf" 2>/dev/null; then echo repo_host=1; fi
info=$(pgbackrest --stanza="$stanza" --output=json info 2>&1)
echo "info_rc=$?"
echo "---info---"
printf '%s\n' "$info"
