#!/usr/bin/env bash
# The Ansible corpus (tests/template/ansible): each case rendered by foobarctl and
# by ansible-core's Templar (ansible_ref.py, same whitespace settings) must be
# byte-identical; err-* cases must be rejected by both, ours with a location.
set -u
cd "$(dirname "$0")/../.."
if ! /usr/bin/python3 -c 'import ansible.template' 2>/dev/null; then
  echo "SKIP: ansible-core is not installed (scripts/setup.sh installs it)"
  exit 77
fi
CASES=tests/template/ansible REF="/usr/bin/python3 tests/template/ansible_ref.py" exec bash tests/template/compare.sh
