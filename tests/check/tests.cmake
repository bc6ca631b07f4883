foobar_e2e(check tests/check/check_test.sh)
