#!/bin/sh
# pgplay: deletes Patroni's keys of a cluster (everything under PREFIX, e.g. /pg/pg-test/) from
# etcd, through the v2 API (Patroni's `etcd`, what Debian's etcd 3.4 serves: it lacks the v3 JSON
# gateway) and the v3 gateway (Patroni's `etcd3`), whichever the server answers. Prints `deleted`
# when something was removed.
#
#   sh -c "$(cat dcs-cleanup.sh)" dcs-cleanup PREFIX V3_BODY ENDPOINT...
#
# V3_BODY is the JSON of the v3 deleterange request (base64 key and range_end of PREFIX).
prefix=$1 body=$2
shift 2
v2=$(printf '%s' "$prefix" | sed 's:/*$::')
r=""
for e in "$@"; do
  ok=""
  r=$(curl -sS -m 10 -X DELETE "http://$e/v2/keys$v2?recursive=true" -w ' HTTP%{http_code}' 2>&1)
  case "$r" in
    *' HTTP200') echo "deleted $v2 (v2)"; ok=1 ;;
    *'"errorCode":100'*) echo "no $v2 (v2)"; ok=1 ;;
  esac
  r=$(curl -sS -m 10 -X POST "http://$e/v3/kv/deleterange" -d "$body" -w ' HTTP%{http_code}' 2>&1)
  case "$r" in
    *'"deleted"'*' HTTP200') echo "deleted $prefix (v3)"; ok=1 ;;
    *' HTTP200') echo "no $prefix (v3)"; ok=1 ;;
  esac
  [ -n "$ok" ] && exit 0
done
echo "no etcd endpoint answered: $r" >&2
exit 1
