# shellcheck shell=sh
# Files and directories: their facts (type, mode, owner, hash) and their actions
# (atomic write with the service's checker, mkdir, removal).

# Joins, per wanted path, find's "M" line (type, mode, owner, group, size) and
# sha256sum's line into one record. Input: "W\tPATH\tWANT" lines, then M lines, then
# sha256sum lines. Content is asked for ("C" line, then the raw path) when a file's
# hash differs from WANT, its size is at most `limit` and the contents asked for so
# far leave room for it in `budget`. A WANT of "secret:SHA256" is a file holding
# secrets: its own hash never leaves the host (it would allow guessing the secret
# offline), so the record holds SHA256 when the file matches, "differs" otherwise,
# and never content.
# shellcheck disable=SC2016 # awk's own $fields
fb_paths_awk='
function esc(s) { gsub(/\\/, "\\\\", s); gsub(/\t/, "\\t", s); return s }
BEGIN { FS = "\t" }
/^W\t/ { n++; want[n] = $NF; path[n] = substr($0, 3, length($0) - 3 - length($NF)); next }
/^M\t/ { p = $0; for (k = 1; k <= 6; k++) sub(/^[^\t]*\t/, "", p)
         type[p] = $2; mode[p] = $3; owner[p] = $4; group[p] = $5; size[p] = $6; next }
{ l = $0; e = 0; if (substr(l, 1, 1) == "\\") { e = 1; l = substr(l, 2) }
  p = substr(l, 67); if (e) { gsub(/\\\\/, "\001", p); gsub(/\\n/, "\n", p); gsub(/\001/, "\\", p) }
  sum[p] = substr(l, 1, 64) }
END {
  for (i = 1; i <= n; i++) {
    p = path[i]; name = esc(p); m = mode[p]
    while (m != "" && length(m) < 4) m = "0" m
    meta = m "\t" owner[p] "\t" group[p]
    if (!(p in type)) {
      if (kind == "file") print "file\t" name "\tabsent\t\t\t\t\t-"; else print "dir\t" name "\tabsent\t\t\t"
    } else if (kind == "dir") {
      print "dir\t" name "\t" (type[p] == "d" ? "directory" : "other") "\t" meta
    } else if (type[p] != "f") {
      print "file\t" name "\tother\t\t" meta "\t-"
    } else if (substr(want[i], 1, 7) == "secret:") {
      print "file\t" name "\tfile\t" (sum[p] != "" && sum[p] == substr(want[i], 8) ? sum[p] : "differs") "\t" meta "\t-"
    } else if (want[i] != "" && sum[p] != "" && sum[p] != want[i] && size[p] + 0 <= limit && size[p] + 0 <= budget) {
      budget -= size[p]
      print "C\tfile\t" name "\tfile\t" sum[p] "\t" meta; print p
    } else {
      print "file\t" name "\tfile\t" sum[p] "\t" meta "\t-"
    }
  }
}'

# fb_paths KIND PATH WANT...: the records of fact_files and fact_dirs. One find for
# every path's metadata (symlinks not followed) and the hashes of the regular files
# in one sha256sum; a content line needs one base64 per differing file.
fb_paths() {
  fb_kind=$1; shift
  [ $# -gt 0 ] || return 0
  fb_w=$(printf 'W\t%s\t%s\n' "$@")
  fb_n=$(($# / 2)); fb_i=0
  while [ "$fb_i" -lt "$fb_n" ]; do fb_p=$1; shift 2; set -- "$@" "$fb_p"; fb_i=$((fb_i + 1)); done
  { printf '%s\n' "$fb_w"
    find "$@" -maxdepth 0 -printf 'M\t%y\t%m\t%u\t%g\t%s\t%p\n' -type f -exec sha256sum -- '{}' + 2>/dev/null
  } | awk -v kind="$fb_kind" -v limit="${FB_CONTENT_LIMIT:-1048576}" -v budget="${FB_CONTENT_BUDGET:-4194304}" \
    "$fb_paths_awk" |
    while IFS= read -r fb_l; do
      case $fb_l in
        C"	"*) IFS= read -r fb_p; printf '%s\t%s\n' "${fb_l#C	}" "$(b64 < "$fb_p")" ;;
        *) printf '%s\n' "$fb_l" ;;
      esac
    done
}

# fact_files PATH WANT_SHA256...: one record per file, parsed by parse_path_record in
# src/facts/probe.cc: file NAME absent|file|other SHA256 MODE OWNER GROUP CONTENT|-.
# A WANT of secret:SHA256 (a file holding secrets) is compared here and never sends
# content or its own hash.
fact_files() { fb_paths file "$@"; }

# fact_dirs PATH...: dir NAME absent|directory|other MODE OWNER GROUP (parse_path_record).
fact_dirs() {
  fb_n=$#; fb_i=0
  while [ "$fb_i" -lt "$fb_n" ]; do set -- "$@" "$1" ""; shift; fb_i=$((fb_i + 1)); done
  fb_paths dir "$@"
}

# fb_check COMMAND FILE: runs a config checker, "{}" in COMMAND standing for FILE;
# its output goes to stderr when it rejects. COMMAND comes from templates/index.json.
fb_check() {
  fb_c=$1
  case $fb_c in *'{}'*) fb_c="${fb_c%%\{\}*}\"\$2\"${fb_c#*\{\}}" ;; esac
  if ! fb_out=$(eval "$fb_c" 2>&1); then printf '%s\n' "$fb_out" >&2; return 1; fi
}

# act_file PATH OWNER GROUP MODE CHECK: writes stdin to PATH atomically: a temporary
# file in the same directory, synced, checked, renamed. A CHECK with "{}" checks the
# candidate before the rename; one without checks the installed config after it and
# puts the previous file back when it fails. A rejected config exits 3
# (k_validation_failed_status in src/apply/operations.h).
act_file() (
  set -e
  p=$1; d=${1%/*}; [ -n "$d" ] || d=/
  mkdir -p -- "$d"
  t="$d/.${p##*/}.foobarctl-new"
  trap 'rm -f -- "$t"' EXIT
  (umask 077; cat > "$t")
  chown -- "$2:$3" "$t"
  chmod -- "$4" "$t"
  sync -- "$t" 2>/dev/null || true
  case $5 in
    '') mv -f -- "$t" "$p" ;;
    *'{}'*) fb_check "$5" "$t" || exit 3; mv -f -- "$t" "$p" ;;
    *)
      b="$p.foobarctl-old"; had=0
      if [ -e "$p" ]; then cp -p -- "$p" "$b"; had=1; fi
      mv -f -- "$t" "$p"
      if ! fb_check "$5" ""; then
        if [ $had = 1 ]; then mv -f -- "$b" "$p"; else rm -f -- "$p"; fi
        exit 3
      fi
      rm -f -- "$b" ;;
  esac
)

# act_file_remove PATH: an sshd drop-in gone is in effect once sshd has reloaded.
act_file_remove() {
  rm -f -- "$1" || return
  case $1 in /etc/ssh/sshd_config.d/*) fb_sshd_reload ;; esac
}

# act_dir PATH OWNER GROUP MODE
act_dir() { mkdir -p -- "$1" && chown -- "$2:$3" "$1" && chmod -- "$4" "$1"; }

# act_dir_remove PATH: only when empty; what else is in it stays.
act_dir_remove() { rmdir -- "$1" 2>/dev/null || true; }
