# shellcheck shell=sh disable=SC2154 # fb_run, fb_etc, fb_proc are set in common.sh
# Services: one meaning of running and enabled for the probe and for apply, on systemd
# hosts (from systemctl show) and on init-script hosts (from the daemon's pid file).

# Where Debian's init script for NAME keeps its daemon's pid, and the daemon's binary
# (empty: any live process will do). Sets fb_pidfile and fb_exe; both empty when
# unknown, then the init script's own status action decides. keepalived's script has
# no status action (it answers with its usage) and nginx's and haproxy's report on a
# stale pid file: the pid file and /proc decide for all of them.
fb_svc_pidfile() {
  fb_pidfile=; fb_exe=
  case $1 in
    nginx) fb_pidfile=$fb_run/nginx.pid; fb_exe=/usr/sbin/nginx ;;
    haproxy) fb_pidfile=$fb_run/haproxy.pid; fb_exe=/usr/sbin/haproxy ;;
    keepalived) fb_pidfile=$fb_run/keepalived.pid; fb_exe=/usr/sbin/keepalived ;;
    mariadb|mysql) fb_pidfile=$fb_run/mysqld/mysqld.pid ;;
    nsd) fb_pidfile=$fb_run/nsd/nsd.pid ;;  # its processes rename themselves
    ssh) fb_pidfile=$fb_run/sshd.pid; fb_exe=/usr/sbin/sshd ;;
    prometheus|prometheus-*) fb_pidfile=$fb_run/prometheus/$1.pid; fb_exe=/usr/bin/$1 ;;
    *) fb_svc_script_pidfile "$1" ;;
  esac
}

# A literal PIDFILE=/path line of the init script (ours, foobar-app's, has one).
fb_svc_script_pidfile() {
  [ -r "$fb_etc/init.d/$1" ] || return 0
  while IFS= read -r fb_l; do
    case $fb_l in
      PIDFILE=/*)
        fb_v=${fb_l#PIDFILE=}; fb_v=${fb_v%%[ 	\#;]*}
        case $fb_v in *[\$\`\"\']*) ;; *) fb_pidfile=$fb_v; return 0 ;; esac ;;
    esac
  done < "$fb_etc/init.d/$1"
}

# fb_sysv_running NAME: the daemon of NAME's init script is alive.
fb_sysv_running() {
  fb_svc_pidfile "$1"
  if [ -n "$fb_pidfile" ]; then
    fb_pid=
    [ -r "$fb_pidfile" ] && read -r fb_pid _ < "$fb_pidfile"
    case $fb_pid in ''|*[!0-9]*) return 1 ;; esac
    [ -d "$fb_proc/$fb_pid" ] || return 1
    # A pid reused by another program is not the service: the kernel's name of the
    # process (its binary's, cut to 15 bytes) must begin the daemon's.
    [ -n "$fb_exe" ] || return 0
    fb_comm=
    read -r fb_comm < "$fb_proc/$fb_pid/comm" 2>/dev/null || return 1
    case ${fb_exe##*/} in "$fb_comm"*) return 0 ;; esac
    return 1
  fi
  if [ -f "$fb_etc/init.d/$1" ] && ! grep -qE 'status|init-d-script' "$fb_etc/init.d/$1" 2>/dev/null; then
    pidof -- "$1" >/dev/null 2>&1
  else
    to service "$1" status </dev/null >/dev/null 2>&1
  fi
}

fb_sysv_enabled() {
  for fb_f in "$fb_etc"/rc2.d/S??"$1"; do [ -e "$fb_f" ] && return 0; done
  return 1
}

# What systemctl show prints, per unit in argument order, joined to the names.
# Running: ActiveState active or reloading (is-active's zero exit); enabled: the
# UnitFileStates is-enabled answers zero for.
# shellcheck disable=SC2016 # awk's own $fields
fb_systemd_awk='
BEGIN { b = 1 }
/^W\t/ { n++; name[n] = substr($0, 3); next }
/^$/ { if (seen) { b++; seen = 0 } next }
{ seen = 1; i = index($0, "="); k = substr($0, 1, i - 1); v = substr($0, i + 1)
  if (k == "ActiveState") act[b] = v; else if (k == "UnitFileState") uf[b] = v }
END { for (i = 1; i <= n; i++)
        print "svc\t" name[i] "\t" (act[i] ~ /^(active|reloading)$/ ? "running" : "stopped") "\t" \
          (uf[i] ~ /^(enabled|enabled-runtime|static|indirect|generated|transient|alias)$/ ? "enabled" : "disabled") }'

# fact_services NAME...: svc NAME running|stopped enabled|disabled per name, parsed by
# parse_service_record in src/facts/probe.cc. One systemctl show for all on systemd.
fact_services() {
  [ $# -gt 0 ] || return 0
  if fb_systemd; then
    { printf 'W\t%s\n' "$@"; systemctl show -p ActiveState -p UnitFileState -- "$@" 2>/dev/null; } |
      awk "$fb_systemd_awk"
    return 0
  fi
  for fb_s in "$@"; do
    fb_r=stopped; fb_e=disabled
    if fb_sysv_running "$fb_s"; then fb_r=running; fi
    if fb_sysv_enabled "$fb_s"; then fb_e=enabled; fi
    rec svc "$fb_s" "$fb_r" "$fb_e"
  done
}

fb_svc_running() { case $(fact_services "$1") in *"	running	"*) return 0 ;; esac; return 1; }

# fb_svc NAME VERB: systemctl where systemd runs the host, else the init script.
# systemd acts on the unit it has loaded: when the unit file changed on disk (or
# appeared), daemon-reload first, so the changed unit is what starts.
fb_svc() {
  if fb_systemd; then
    case $(systemctl show -p NeedDaemonReload -p LoadState --value -- "$1" 2>/dev/null) in
      *yes*|*not-found*) systemctl daemon-reload ;;
    esac
    systemctl "$2" -- "$1" </dev/null
  else
    fb_sysv "$1" "$2"
  fi
}

# How long an init script's daemon may take to start or to exit (tests shorten it).
fb_svc_wait=30

# fb_sysv NAME VERB: the init script, held to what it claims. Debian's scripts exit 0
# when start-stop-daemon fails, and restart as stop, sleep 1, start: a daemon slower
# to exit (keepalived, whose VRRP processes first announce they leave) is still there,
# so the start fails and the daemon stays down. A restart here is a stop that waits
# for the daemon to be gone, then a start; a start must leave it running.
fb_sysv() {
  case $2 in
    restart)
      service "$1" stop </dev/null || return
      fb_sysv_wait "$1" down "$fb_svc_wait" ||
        { echo "$1 did not stop within $fb_svc_wait s of its init script's stop"; return 1; }
      fb_sysv "$1" start ;;
    start)
      service "$1" start </dev/null || return
      fb_sysv_wait "$1" up "$fb_svc_wait" ||
        { echo "$1 is not running $fb_svc_wait s after its init script's start returned (see its log)"; return 1; } ;;
    *) service "$1" "$2" </dev/null ;;
  esac
}

# fb_sysv_wait NAME up|down SECONDS: waits until NAME's daemon runs (up) or is gone.
fb_sysv_wait() {
  fb_deadline "$3"
  while :; do
    if fb_sysv_running "$1"; then [ "$2" = up ] && return 0
    elif [ "$2" = down ]; then return 0; fi
    fb_before_deadline || return 1
    sleep 0.2
  done
}

# fb_sd_unitfiles enable|disable NAME: the unit's boot links. SYSTEMCTL_SKIP_SYSV keeps
# systemctl from also running update-rc.d for an init script of the same name (a perl
# run, about 1 s in a container): systemd boots the native unit and never reads rc?.d.
fb_sd_unitfiles() { SYSTEMCTL_SKIP_SYSV=1 systemctl "$1" -- "$2" </dev/null; }

# act_service NAME running|stopped enabled|keep: starts it unless it runs (stops it),
# enabling it at boot first when asked.
act_service() {
  if [ "$3" = enabled ]; then
    if fb_systemd; then fb_sd_unitfiles enable "$1" || return
    else update-rc.d "$1" defaults >/dev/null 2>&1 || true; fi
  fi
  if [ "$2" = running ]; then fb_svc_running "$1" || fb_svc "$1" start
  else fb_svc "$1" stop || true; fi
}

# act_service_do NAME reload|restart: a handler.
act_service_do() { fb_svc "$1" "$2"; }

# act_service_remove NAME: stops and disables it; sshd excepted, which foobarctl
# itself comes in through (its drop-in's removal reloads it, act_file_remove).
act_service_remove() {
  case $1 in ssh|sshd) return 0 ;; esac
  fb_svc "$1" stop || true
  if fb_systemd; then fb_sd_unitfiles disable "$1" || true
  else update-rc.d -f "$1" remove >/dev/null 2>&1 || true; fi
}

# fb_boot_wait: returns once systemd has finished booting the host (its start jobs are
# done, whatever their outcome), at once on init-script hosts. A plan taken while the
# boot still starts units would see them stopped and find them running at apply.
fb_boot_wait() {
  fb_systemd || return 0
  if command -v timeout >/dev/null 2>&1; then timeout 120 systemctl is-system-running --wait >/dev/null
  else systemctl is-system-running --wait >/dev/null; fi
  return 0
}
