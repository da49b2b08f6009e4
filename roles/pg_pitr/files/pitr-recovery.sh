#!/bin/sh
# pgplay roles/pg_pitr: waits for the standalone PostgreSQL replaying WAL into a restored data
# directory, and promotes it at the recovery target. Run by the dbsu as
#
#   sh -c "$(cat pitr-recovery.sh)" pitr-recovery MODE BIN_DIR DATA PORT SOCKET LOG TIMEOUT [START_OPTS]
#
# MODE wait:    wait until the instance is paused at the target, promoted, or stopped; print
#               state=<paused|promoted|shutdown|not_reached|before_backup|down|timeout>, stops=, tail=
# MODE promote: (re)start it to pause at the target when it stopped there (START_OPTS), promote it
#               there, then stop it cleanly; prints promoted / already promoted / stopped
set -u
mode=$1 bin=$2 data=$3 port=$4 socket=$5 log=$6 timeout=$7 opts=${8:-}

running() { "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; }
psql_() { "$bin/psql" -h "$socket" -p "$port" -AXtq -d postgres "$@"; }
replay_state() { psql_ -c "SELECT CASE WHEN pg_is_in_recovery() THEN pg_get_wal_replay_pause_state() ELSE 'promoted' END" 2>/dev/null; }

# Sets $state once the instance is paused at the target, promoted, stopped, or the wait timed out.
wait_state() {
  deadline=$(( $(date +%s) + timeout ))
  state=""
  while [ -z "$state" ]; do
    if running; then
      s=$(replay_state)
      case "$s" in paused|promoted) state=$s ;; esac
    else
      if grep -q 'recovery ended before configured recovery target was reached' "$log"; then state=not_reached
      elif grep -q 'requested recovery stop point is before consistent recovery point' "$log"; then state=before_backup
      elif grep -q 'shutdown at recovery target' "$log"; then state=shutdown
      elif grep -qE 'database system is shut down|aborting startup due to startup process failure' "$log"; then state=down
      fi
    fi
    if [ -z "$state" ] && [ "$(date +%s)" -ge "$deadline" ]; then state=timeout; fi
    [ -n "$state" ] || sleep 1
  done
}

in_recovery() { [ -f "$data/recovery.signal" ] || [ -f "$data/standby.signal" ]; }

case "$mode" in
  wait)
    wait_state
    echo "state=$state"
    echo "stops=$(grep -E 'recovery stopping|redo done at|consistent recovery state reached|last completed transaction' "$log" | sed 's/^.*LOG: *//' | tr '\n' ';')"
    echo "tail=$(grep -E 'FATAL|PANIC|ERROR' "$log" | grep -v 'the database system is starting up' | tail -n 3 | sed 's/^.*\(FATAL\|PANIC\|ERROR\)/\1/' | tr '\n' ';')"
    ;;
  promote)
    if in_recovery; then
      # stopped at the target (action shutdown) or by hand: start again, to pause at the target this time
      if ! running; then
        : > "$log"
        "$bin/pg_ctl" -D "$data" -W start -o "$opts" >/dev/null || exit 1
      fi
      wait_state
      case "$state" in
        paused) psql_ -c 'SELECT pg_promote(true, 600)' >/dev/null || exit 1; echo promoted ;;
        promoted) echo "already promoted" ;;
        *) echo "recovery did not reach the target ($state): see $log" >&2; exit 1 ;;
      esac
    fi
    # a clean stop: Patroni starts from a shutdown checkpoint on the new timeline
    if running; then psql_ -c CHECKPOINT >/dev/null; "$bin/pg_ctl" -D "$data" stop -m fast -w -t 600 && echo stopped; fi
    if in_recovery; then echo "$data is still in recovery" >&2; exit 1; fi
    ;;
  *)
    echo "usage: pitr-recovery wait|promote BIN_DIR DATA PORT SOCKET LOG TIMEOUT [START_OPTS]" >&2
    exit 2
    ;;
esac
