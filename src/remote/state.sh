# shellcheck shell=sh
# foobarctl's own state on a host, beside the manifest in /var/lib/foobarctl:
#   STACK.lock/holder  the apply lock (a directory: mkdir is atomic) and who holds it
#   STACK.pending      the journal of handlers a change notified that have not run yet,
#                      one line each: ACTION<tab>SERVICE<tab>SOURCE
#   STACK.created      resources created since the manifest was last written, one
#                      manifest entry (a JSON object on one line) each
# Every write goes to a temporary file in the same directory and is renamed into
# place, so a run killed at any instant leaves either the old file or the new one.

# fb_state_mkdir FILE: the state directory of FILE exists, readable by root only.
fb_state_mkdir() {
  d=$(dirname "$1")
  [ -d "$d" ] || (umask 077; mkdir -p "$d")
}

# fb_replace FILE: stdin becomes FILE's content, atomically.
fb_replace() {
  fb_state_mkdir "$1" || return 1
  (umask 077; cat > "$1.foobarctl-new") && sync "$1.foobarctl-new" 2>/dev/null
  mv -f "$1.foobarctl-new" "$1"
}

# fb_lock_take LOCK: takes the lock, its holder record on stdin. Exit 75 and the
# current holder's record on stdout when someone holds it.
fb_lock_take() {
  fb_state_mkdir "$1" || return 1
  if mkdir "$1" 2>/dev/null; then
    fb_replace "$1/holder"
    return
  fi
  cat "$1/holder" 2>/dev/null
  return 75
}

# fb_lock_takeover LOCK OLD_SHA256: replaces the holder record (stdin) only if the
# lock still has the record whose sha256 is OLD_SHA256 (the dead run's); exit 75
# and the record found otherwise.
fb_lock_takeover() {
  now=$(sha256sum < "$1/holder" 2>/dev/null) || now=
  if [ "${now%% *}" != "$2" ]; then
    cat "$1/holder" 2>/dev/null
    return 75
  fi
  fb_replace "$1/holder"
}

# fb_lock_release LOCK SHA256: removes the lock if it still holds our record.
fb_lock_release() {
  [ -d "$1" ] || return 0
  now=$(sha256sum < "$1/holder" 2>/dev/null) || now=
  if [ "${now%% *}" = "$2" ]; then rm -rf "$1"; fi
}

# fb_lock_read LOCK: prints the holder record; exit 1 when nobody holds the lock.
fb_lock_read() {
  if [ -d "$1" ]; then cat "$1/holder" 2>/dev/null; return 0; fi
  if [ -e "$1" ]; then cat "$1"; return 0; fi
  return 1
}

# fb_lock_remove LOCK: removes the lock whoever holds it.
fb_lock_remove() { rm -rf "$1"; }

# fb_journal_add JOURNAL LINE: records a pending handler before the change that
# notifies it. FB_JOURNAL_NEW says whether the line was not there before.
# shellcheck disable=SC2034 # read by the caller's script
fb_journal_add() {
  FB_JOURNAL_NEW=0
  if [ -f "$1" ] && grep -qxF -- "$2" "$1"; then return 0; fi
  FB_JOURNAL_NEW=1
  { if [ -f "$1" ]; then cat "$1"; fi; printf '%s\n' "$2"; } | fb_replace "$1"
}

# In a pipelined apply (fb_step in common.sh) a change's journal lines are steps of
# their own before it:
#   fb_step N 0 fb_journal_step JOURNAL LINE   prints "new" when LINE was not there
#   fb_undo_new JOURNAL LINE                   arms LINE's removal if that step added it
#   fb_step N SIZE act_file ...                the change; failing with 3, it runs fb_undo_run
#   fb_undo_clear                              the change went through: nothing to undo
fb_journal_step() { fb_journal_add "$@" && if [ "$FB_JOURNAL_NEW" = 1 ]; then echo new; fi; }
# shellcheck disable=SC2154 # fb_so: the output of the last step (fb_step, common.sh)
fb_undo_new() {
  if [ "$fb_so" = new ]; then fb_undo_journal=$1; fb_undo_lines="${fb_undo_lines:-}$2
"; fi
}
fb_undo_clear() { fb_undo_lines=; }
fb_undo_run() {
  [ -n "${fb_undo_lines:-}" ] || return 0
  printf '%s' "$fb_undo_lines" | while IFS= read -r fb_l; do fb_journal_remove "$fb_undo_journal" "$fb_l"; done
  fb_undo_lines=
}

# fb_journal_remove JOURNAL LINE: takes back a line fb_journal_add just added (the
# change was refused and nothing was changed).
fb_journal_remove() {
  [ -f "$1" ] || return 0
  { grep -vxF -- "$2" "$1" || true; } | fb_replace "$1"
}

# fb_journal_done JOURNAL SERVICE: the service's handler ran; its lines go.
fb_journal_done() {
  [ -f "$1" ] || return 0
  awk -F'\t' -v s="$2" '$2 != s' "$1" | fb_replace "$1"
}

# fb_journal_clear JOURNAL: every handler ran.
fb_journal_clear() { rm -f "$1"; }

# fb_manifest_record LOG ENTRY: records a resource in the manifest's log before it
# is created, so destroy finds it even if this run never writes the manifest.
fb_manifest_record() {
  if [ -f "$1" ] && grep -qxF -- "$2" "$1"; then return 0; fi
  { if [ -f "$1" ]; then cat "$1"; fi; printf '%s\n' "$2"; } | fb_replace "$1"
}

# fb_manifest_written MANIFEST LOG: the manifest (stdin) replaces the old one and
# the log it now includes goes. Readable by root alone: it lists every managed path.
fb_manifest_written() {
  fb_replace "$1" && chmod 0600 "$1" && rm -f "$2"
}

# Probe records (tab-separated, as the facts probe prints them):
#   pending ACTION SERVICE SOURCE   one per journal line
#   created BASE64                  the manifest log, when there is one
fb_probe_state() {
  if [ -f "$1" ]; then awk -F'\t' 'NF >= 2 { print "pending\t" $0 }' "$1"; fi
  if [ -f "$2" ]; then printf 'created\t%s\n' "$(base64 < "$2" | tr -d '\n')"; fi
}

# fb_manifest_remove MANIFEST LOG: nothing is managed here any more.
fb_manifest_remove() { rm -f "$1" "$2"; }

# fact_manifest PATH LIMIT: manifest present BASE64|toobig SIZE|absent ""
# (parse_manifest_record in src/facts/probe.cc). A manifest over LIMIT bytes is not read.
fact_manifest() {
  if [ ! -f "$1" ]; then rec manifest absent ""; return; fi
  fb_sz=$(wc -c < "$1" 2>/dev/null) || fb_sz=0
  if [ $((fb_sz)) -gt "$2" ]; then rec manifest toobig "$((fb_sz))"; return; fi
  rec manifest present "$(b64 < "$1")"
}

# fact_lock LOCK LIMIT: lock held BASE64_HOLDER|free "" (parse_lock_record). The holder
# is one record of a few lines; more than its first LIMIT bytes is never read.
fact_lock() {
  if [ -d "$1" ]; then rec lock held "$(head -c "$2" "$1/holder" 2>/dev/null | b64)"
  elif [ -e "$1" ]; then rec lock held "$(head -c "$2" < "$1" | b64)"
  else rec lock free ""; fi
}
