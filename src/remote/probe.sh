# shellcheck shell=sh
# The frame of the facts probe: src/facts/probe.cc calls fb_probe_begin, then the
# fact_* functions of each kind (one call per kind and host), then fb_probe_end.

# fb_probe_begin VERSION CONTENT_LIMIT CONTENT_BUDGET: the header parse_probe_output
# checks first; old file content is sent (for diffs) only up to CONTENT_LIMIT bytes a
# file and CONTENT_BUDGET bytes in all.
# shellcheck disable=SC2034 # read by fb_paths (file.sh)
fb_probe_begin() { FB_CONTENT_LIMIT=$2; FB_CONTENT_BUDGET=$3; rec foobar-probe "$1"; }

# fb_probe_end: the last record; without it the output was cut short.
fb_probe_end() { rec end ok; exit 0; }
