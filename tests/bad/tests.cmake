# Broken stack files must produce exactly their expected diagnostics; the
# reference stacks must validate.
foobar_e2e(validate_bad_stacks tests/bad/run.sh)
