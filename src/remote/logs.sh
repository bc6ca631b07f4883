# shellcheck shell=sh
# foobarctl logs: the central logs on the log collector, kept by rsyslog as
# STORE/HOST/PROGRAM.log, one message a line, each starting with its UTC RFC 3339 time
# (templates/rsyslog-foobar.conf.j2). Read-only.

# logs_name NAME: whether NAME is "" or a host or program name (a-z, 0-9, - and _),
# never a pattern or a path.
logs_name() {
  case $1 in *[!a-z0-9_-]*) return 1 ;; esac
}

# logs_read STORE HOST PROGRAM SECONDS [FILE OFFSET]...: the messages of HOST's PROGRAM
# ("" for every host or program) of the last SECONDS (0: all), in time order, past
# OFFSET bytes of each FILE given (a file not given, or shorter than its offset since
# it was rotated, from its start). First one line "@ FILE SIZE" for each file: what was
# read, the offsets of the next call.
logs_read() {
  if ! logs_name "$2" || ! logs_name "$3"; then echo "logs_read: bad host or program name" >&2; return 2; fi
  _store=$1 _host=${2:-*} _prog=${3:-*} _secs=$4
  shift 4
  _since=
  [ "$_secs" -gt 0 ] && _since=$(date -u -d "@$(($(date +%s) - _secs))" +%Y-%m-%dT%H:%M:%S)
  _plan=
  for _f in "$_store"/$_host/$_prog.log; do
    [ -f "$_f" ] || continue
    _size=$(wc -c <"$_f")
    _off=0
    _n=$#
    while [ "$_n" -ge 2 ]; do
      [ "$1" = "$_f" ] && _off=$2
      set -- "$@" "$1" "$2"
      shift 2
      _n=$((_n - 2))
    done
    [ "$_off" -le "$_size" ] || _off=0
    printf '@ %s %s\n' "$_f" "$_size"
    _plan="$_plan$_f $_off $_size
"
  done
  printf '%s' "$_plan" | while read -r _f _off _size; do
    [ "$_off" -lt "$_size" ] && tail -c +"$((_off + 1))" -- "$_f" | head -c "$((_size - _off))"
  done | sort -s -k1,1 | awk -v since="$_since" 'since == "" || substr($0, 1, 19) >= since'
}
