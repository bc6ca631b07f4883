# shellcheck shell=sh
# Packages: installed means dpkg's status ends in "installed" (install or hold ok
# installed), for the fact and for the action alike.

# fact_packages NAME...: one dpkg-query for all: pkg NAME installed|absent|unknown
# VERSION per name, parsed by parse_package_record in src/facts/probe.cc.
fact_packages() {
  [ $# -gt 0 ] || return 0
  if ! command -v dpkg-query >/dev/null 2>&1; then printf 'pkg\t%s\tunknown\t\n' "$@"; return 0; fi
  # shellcheck disable=SC2016 # dpkg-query's own ${fields}
  { printf 'W\t%s\n' "$@"; dpkg-query -W -f='${Package}\t${Status}\t${Version}\n' -- "$@" 2>/dev/null; } |
    awk -F'\t' '$1 == "W" { n++; want[n] = $2; next }
                $2 ~ / installed$/ { v[$1] = $3 }
                END { for (i = 1; i <= n; i++)
                        if (want[i] in v) print "pkg\t" want[i] "\tinstalled\t" v[want[i]]
                        else print "pkg\t" want[i] "\tabsent\t" }'
}

fb_pkg_installed() { case $(fact_packages "$1") in *"	installed	"*) return 0 ;; esac; return 1; }

# act_package NAME: installs it unless it is installed (lab hosts cannot download, so
# an installed package must never reach apt-get).
act_package() {
  fb_pkg_installed "$1" || DEBIAN_FRONTEND=noninteractive apt-get install -y -q -- "$1" </dev/null
}

# act_package_remove NAME purge|keep
act_package_remove() {
  [ "$2" = purge ] || return 0
  DEBIAN_FRONTEND=noninteractive apt-get purge -y -q -- "$1" </dev/null
}
