foobar_e2e(diagram tests/diagram/diagram_test.sh)
