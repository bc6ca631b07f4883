# Needs root (namespaces, mounts); exits 77 (skipped) otherwise.
foobar_e2e(lab tests/lab/lab_test.sh LABELS lab SKIP_RETURN_CODE 77)
foobar_e2e(lab-systemd tests/lab/systemd_test.sh LABELS lab SKIP_RETURN_CODE 77 TIMEOUT 600)
