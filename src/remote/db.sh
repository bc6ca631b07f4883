# shellcheck shell=sh
# Databases, accounts and replication on the host's MariaDB/MySQL server, as root over
# its unix socket. SQL that holds secrets comes on stdin, never as an argument.

fb_my() { to mysql -uroot --connect-timeout=5 -B "$@"; }

fb_system_schemas="('mysql','information_schema','performance_schema','sys')"

# Replica status, parsed here only (probe and apply): the vertical output of SHOW
# REPLICA STATUS or SHOW SLAVE STATUS on stdin (several row sets: the first row wins),
# out the record "replica status IO SQL SOURCE_HOST SECONDS_BEHIND GTID_IO_POS"
# (parse_replica_record in src/facts/probe.cc) or "replica none". With -v errors=1:
# the threads' states and last errors, for a message. With -v relay=1: what a
# promotion decides on, "dbrelay none" or "dbrelay SOURCE IO SQL SOURCE_LOG READ_POS
# EXEC_LOG EXEC_POS GTID_IO_POS" (parse_position_output in src/facts/db_position.cc).
# shellcheck disable=SC2016 # awk's own $fields
fb_replica_awk='
function pick(a, b) { return (a in f) ? f[a] : f[b] }
/^\*+ [0-9]+\. row/ { rows++; next }
rows != 1 { next }
{ line = $0; sub(/^ +/, "", line); i = index(line, ":"); if (i == 0) next
  k = substr(line, 1, i - 1); v = substr(line, i + 1); sub(/^ /, "", v); f[k] = v
  if (errors && k ~ /_Running$|^Last_(IO_|SQL_)?Error$/) print line }
END { if (errors) exit
      if (relay) {
        if (!rows) { print "dbrelay\tnone"; exit }
        printf "dbrelay\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
          pick("Master_Host", "Source_Host"), pick("Slave_IO_Running", "Replica_IO_Running"),
          pick("Slave_SQL_Running", "Replica_SQL_Running"), pick("Master_Log_File", "Source_Log_File"),
          pick("Read_Master_Log_Pos", "Read_Source_Log_Pos"), pick("Relay_Master_Log_File", "Relay_Source_Log_File"),
          pick("Exec_Master_Log_Pos", "Exec_Source_Log_Pos"), pick("Gtid_IO_Pos", "Retrieved_Gtid_Set")
        exit }
      if (!rows) { print "replica\tnone"; exit }
      printf "replica\tstatus\t%s\t%s\t%s\t%s\t%s\n",
        pick("Slave_IO_Running", "Replica_IO_Running"), pick("Slave_SQL_Running", "Replica_SQL_Running"),
        pick("Master_Host", "Source_Host"), pick("Seconds_Behind_Master", "Seconds_Behind_Source"),
        pick("Gtid_IO_Pos", "Retrieved_Gtid_Set") }'

fb_replica_parse() { awk -v errors="${1:-0}" -v relay="${2:-0}" "$fb_replica_awk"; }

fb_replica_show() {
  { fb_my -E -e 'SHOW REPLICA STATUS' || fb_my -E -e 'SHOW SLAVE STATUS'; } </dev/null 2>/dev/null
}

# fb_replica_status: this server's replica record.
fb_replica_status() { fb_replica_show | fb_replica_parse; }

# fb_replica_wait: waits up to 30 s for both replication threads to run; else fails
# with the server's own words on them.
fb_replica_wait() {
  fb_i=0
  while [ "$fb_i" -lt 30 ]; do
    case $(fb_replica_status) in "replica	status	Yes	Yes	"*) return 0 ;; esac
    fb_i=$((fb_i + 1)); sleep 1
  done
  echo 'replication is not running after 30 s:' >&2
  fb_replica_show | fb_replica_parse 1 >&2
  return 1
}

# The probe's questions, one statement after another, each answer after a marker row
# ("\t\tfb:NAME": no answer has that shape). Column names stay on, as the vertical
# replica status needs them: a non-empty answer starts with its header line.
fb_db_mark() { printf "SELECT '', '', 'fb:%s';\n" "$1"; }
fb_db_sql() {
  fb_db_mark up; fb_db_mark dbs; echo 'SHOW DATABASES;'
  fb_db_mark users; echo 'SELECT User, Host FROM mysql.user;'
  while [ $# -ge 3 ]; do fb_db_mark auth; printf '%s\n' "$2"; fb_db_mark grants; printf '%s\n' "$3"; shift 3; done
  fb_db_mark replica; echo 'SHOW REPLICA STATUS\G'; fb_db_mark slave; echo 'SHOW SLAVE STATUS\G'; fb_db_mark end
}
fb_db_names() { while [ $# -ge 3 ]; do printf 'W\t%s\n' "$1"; shift 3; done; }

# Turns the answers into records; each grant line cut before IDENTIFIED, so no
# password hash is printed.
# shellcheck disable=SC2016 # awk's own $fields
fb_db_awk='
function esc(s) { gsub(/\\/, "\\\\", s); gsub(/\t/, "\\t", s); return s }
/^W\t/ { n++; acct[n] = substr($0, 3); next }
/^\t\tfb:/ { if (substr($0, 6) != sec) { sec = substr($0, 6); if (sec == "auth") a++ } hdr = 1; next }
hdr { hdr = 0; next }
sec == "dbs" { print "dbname\t" $0; next }
sec == "users" { print "dbuser\t" $0; next }
sec == "auth" { auth[a] = $0; next }
sec == "grants" {
  i = index($0, " IDENTIFIED ")
  if (i) { r = substr($0, i + 12); j = index(r, " WITH "); $0 = substr($0, 1, i - 1) (j ? substr(r, j) : "") }
  if ($0 != "") grant[a, ++gc[a]] = $0
  next }
END { for (i = 1; i <= n; i++) {
        name = esc(acct[i])
        if (i in auth) print "dbauth\t" name "\t" auth[i]; else print "dbauth\t" name "\tmissing\t"
        for (j = 1; j <= gc[i]; j++) print "dbgrant\t" name "\t" grant[i, j]
        print "dbgrants\t" name "\t" (gc[i] > 0 ? "ok" : "error") } }'

# fact_db [ACCOUNT AUTH_SQL GRANTS_SQL]...: one mysql client run for every database
# fact: db up|down (then dbname, dbuser, per account dbauth, dbgrant, dbgrants, and the
# replica record), parsed by the db records of parse_probe_output.
fact_db() {
  if ! command -v mysql >/dev/null 2>&1; then rec db down "$(printf 'no mysql client' | b64)"; return 0; fi
  fb_out=$(fb_db_sql "$@" | fb_my --force 2>/dev/null)
  case $fb_out in
    "		fb:up"*) ;;
    *) fb_err=$(fb_my -N -e 'SELECT 1' 2>&1 >/dev/null </dev/null)
       rec db down "$(printf '%s' "${fb_err:-the server gave no answer}" | b64)"; return 0 ;;
  esac
  rec db up ""
  { fb_db_names "$@"; printf '%s\n' "$fb_out"; } | awk "$fb_db_awk"
  printf '%s\n' "$fb_out" | awk 'f; $0 == "\t\tfb:replica" { f = 1 }' | fb_replica_parse
}

# act_sql: the SQL on stdin, as root.
act_sql() { mysql --batch --skip-column-names; }

# act_replication: the CHANGE MASTER SQL on stdin, then both threads must run.
act_replication() { act_sql && fb_replica_wait; }

# fb_seed_dump (on the primary): every non-system database plus the accounts (CREATE
# USER IF NOT EXISTS and GRANT), in one InnoDB snapshot. --master-data=1 with --gtid
# ends the dump with SET GLOBAL gtid_slave_pos at that snapshot, so the replica starts
# right after it.
fb_seed_dump() (
  set -e
  dbs=$(mysql -N -B -e "SELECT schema_name FROM information_schema.schemata WHERE schema_name NOT IN $fb_system_schemas ORDER BY schema_name" </dev/null)
  set --
  if [ -n "$dbs" ]; then
    while IFS= read -r d; do set -- "$@" "$d"; done <<EOF_DBS
$dbs
EOF_DBS
    set -- --databases "$@"
  fi
  exec mysqldump --single-transaction --gtid --master-data=1 --routines --events --triggers --hex-blob \
    --system=users --insert-ignore "$@" </dev/null
)

# act_seed_import MARKER (on the replica): the dump, then the CHANGE MASTER SQL, on
# stdin. Refuses when the server is a replica already (exit 5, k_already_replica_status)
# or holds tables of its own (exit 4, k_seed_refused_status; unless MARKER says a
# previous seed was interrupted), then imports with binary logging off for the session,
# so the replica's own binlog gets no GTIDs, and waits for replication to run.
act_seed_import() (
  set -e
  st=$(fb_replica_status)
  case $st in
    "replica	status	"*)
      h=${st#replica	status	*	*	}; h=${h%%	*}
      if [ -n "$h" ]; then echo "already a replica of $h: not seeded" >&2; exit 5; fi ;;
  esac
  if [ ! -e "$1" ]; then
    t=$(mysql -N -B -e "SELECT GROUP_CONCAT(DISTINCT table_schema ORDER BY table_schema SEPARATOR ', ') FROM information_schema.tables WHERE table_schema NOT IN $fb_system_schemas" </dev/null)
    if [ -n "$t" ] && [ "$t" != NULL ]; then
      echo "the server is not a replica yet but already holds tables in: $t. Seeding would overwrite them, so nothing was changed. Move that data to the primary (or elsewhere) and drop those databases here, then apply again (see docs/replication.md)" >&2
      exit 4
    fi
  fi
  mkdir -p -- "${1%/*}"
  : > "$1"
  { printf 'SET SESSION sql_log_bin=0;\n'; cat; } | mysql --batch
  rm -f -- "$1"
  fb_replica_wait
)

# Day 2: switchover and failover (src/cli/cmd_db.cc, docs/day2.md).

# fb_gtid_valid POS: POS is a GTID position list, "" or DOMAIN-SERVER-SEQ[,...] (the
# grammar parse_gtid_list in src/cli/db_move.cc checks too).
fb_gtid_valid() {
  case $1 in
    '') return 0 ;;
    *[!0-9,-]* | ,* | *, | *,,*) return 1 ;;
  esac
  printf '%s\n' "$1" | grep -Eqx '[0-9]+-[0-9]+-[0-9]+(,[0-9]+-[0-9]+-[0-9]+)*'
}

# fact_db_position: "dbpos up READ_ONLY GTID_BINLOG_POS GTID_SLAVE_POS GTID_CURRENT_POS",
# then the dbrelay record and "dbsqlstate BASE64"; or "dbpos down BASE64_ERROR".
fact_db_position() {
  if ! fb_pos=$(fb_my -N -e 'SELECT @@read_only, @@gtid_binlog_pos, @@gtid_slave_pos, @@gtid_current_pos' </dev/null 2>/dev/null); then
    fb_err=$(fb_my -N -e 'SELECT 1' 2>&1 >/dev/null </dev/null)
    rec dbpos down "$(printf '%s' "${fb_err:-the server gave no answer}" | b64)"; return 0
  fi
  printf 'dbpos\tup\t%s\n' "$fb_pos"
  fb_show=$(fb_replica_show)
  printf '%s\n' "$fb_show" | fb_replica_parse 0 1
  rec dbsqlstate "$(printf '%s\n' "$fb_show" | sed -n 's/^ *Slave_SQL_Running_State: //p' | head -n 1 | b64)"
}

# act_db_readonly 1|0: sets the server read-only (and super_read_only where the server
# has it) or writable. A client's write in flight either commits before or fails.
act_db_readonly() {
  case $1 in 0 | 1) ;; *) echo "act_db_readonly: 0 or 1, not '$1'" >&2; return 2 ;; esac
  fb_my -e "SET GLOBAL read_only=$1" </dev/null || return 1
  if [ "$1" = 0 ]; then fb_my -e 'SET GLOBAL super_read_only=0' </dev/null >/dev/null 2>&1 || true
  else fb_my -e 'SET GLOBAL super_read_only=1' </dev/null >/dev/null 2>&1 || true; fi
}

# act_db_wait SECONDS: the MASTER_GTID_WAIT statement on stdin (src/cli/db_move.cc
# quotes its position); fails when the replica has not applied it within SECONDS.
act_db_wait() {
  fb_w=$(mysql -uroot --connect-timeout=5 -B -N) || return 1
  [ "$fb_w" = 0 ] && return 0
  echo "the replica did not reach the position within $1 s (MASTER_GTID_WAIT answered '$fb_w')" >&2
  return 1
}

# act_db_promote: stops replication, forgets the source and opens the server to writes.
act_db_promote() {
  fb_my -e 'STOP SLAVE; RESET SLAVE ALL' </dev/null || return 1
  act_db_readonly 0
}

# act_db_repoint: the SQL that points the server at its new source on stdin (STOP
# SLAVE, gtid_slave_pos for a former primary, CHANGE MASTER, START SLAVE); then both
# threads must run.
act_db_repoint() { fb_my && fb_replica_wait; }

# act_db_record PATH CONTENT: the running primary (and hosts to fence) as foobarctl
# last set them, for plan to compare with the stack (parse_primary_record).
act_db_record() {
  mkdir -p -- "${1%/*}" && printf '%s\n' "$2" > "$1.tmp" && mv -f -- "$1.tmp" "$1"
}

# fact_db_record PATH: "dbrecord absent" or "dbrecord present BASE64_CONTENT".
fact_db_record() {
  if [ -f "$1" ]; then rec dbrecord present "$(head -c 4096 -- "$1" | b64)"; else rec dbrecord absent; fi
}

# act_db_fence PORT ADDRESS...: a fenced former primary takes no writes when it
# returns: read-only now (when its server answers) and after a restart (a config
# drop-in), and the nftables table foobar_fence drops PORT from ADDRESS... (the app
# hosts). Addresses are IPv4 or IPv6 literals only.
act_db_fence() {
  fb_port=$1; shift
  case $fb_port in '' | *[!0-9]*) echo "act_db_fence: bad port '$fb_port'" >&2; return 2 ;; esac
  fb_v4="" fb_v6=""
  for fb_a in "$@"; do
    case $fb_a in
      '' | *[!0-9a-fA-F.:]*) echo "act_db_fence: not an address: '$fb_a'" >&2; return 2 ;;
      *:*) fb_v6="$fb_v6${fb_v6:+, }$fb_a" ;;
      *) fb_v4="$fb_v4${fb_v4:+, }$fb_a" ;;
    esac
  done
  [ -n "$fb_v4$fb_v6" ] || { echo 'act_db_fence: no address to fence off' >&2; return 2; }
  # shellcheck disable=SC2154 # fb_etc is set in common.sh
  fb_fence_cnf=$fb_etc/mysql/mariadb.conf.d/99-foobar-fence.cnf
  mkdir -p -- "${fb_fence_cnf%/*}" &&
    printf '# foobarctl db failover fenced this former primary: no writes.\n[mariadbd]\nread_only = ON\n' >"$fb_fence_cnf" ||
    return 1
  if command -v mysql >/dev/null 2>&1; then act_db_readonly 1 2>/dev/null || true; fi
  {
    printf 'table inet foobar_fence\ndelete table inet foobar_fence\ntable inet foobar_fence {\n  chain input {\n'
    printf '    type filter hook input priority -10; policy accept;\n'
    [ -z "$fb_v4" ] || printf '    ip saddr { %s } tcp dport %s drop\n' "$fb_v4" "$fb_port"
    [ -z "$fb_v6" ] || printf '    ip6 saddr { %s } tcp dport %s drop\n' "$fb_v6" "$fb_port"
    printf '  }\n}\n'
  } | nft -f -
}

# fact_db_fenced: "dbfenced yes|no": the fence table is loaded.
fact_db_fenced() {
  if nft list table inet foobar_fence >/dev/null 2>&1; then rec dbfenced yes; else rec dbfenced no; fi
}
