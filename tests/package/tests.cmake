# The schema accepts the reference stacks and rejects what validate rejects structurally;
# the installed tree (cmake --install, and the .deb in an overlay root where the source
# tree is hidden) works on its own. The .deb test needs root and a lab host (exit 77 otherwise).
foobar_e2e(schema tests/package/schema_test.sh SKIP_RETURN_CODE 77)
foobar_e2e(install-prefix tests/package/install_prefix_test.sh)
foobar_e2e(package tests/package/package_test.sh LABELS lab SKIP_RETURN_CODE 77)
