# A bounded fuzz run: both libFuzzer targets, built with clang under ASan and
# UBSan in their own directory, 30 s each from the project's own cases; a crash,
# a leak, a hang (10 s) or 2 GiB for one input fails it. Skipped without clang.
add_test(NAME fuzz COMMAND bash ${CMAKE_SOURCE_DIR}/scripts/fuzz.sh)
set_tests_properties(fuzz PROPERTIES
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
  ENVIRONMENT "FUZZ_SECONDS=30;FOOBAR_FUZZ_DIR=${CMAKE_BINARY_DIR}/fuzz"
  SKIP_RETURN_CODE 77
  TIMEOUT 900
  LABELS fuzz)
