# The reference stacks end to end in the lab. Need root; exit 77 (skipped) otherwise.
foreach(n 0 1 2 3)
  if(EXISTS ${CMAKE_SOURCE_DIR}/tests/e2e/stack${n}_test.sh)
    foobar_e2e(e2e-stack${n} tests/e2e/stack${n}_test.sh LABELS lab SKIP_RETURN_CODE 77 TIMEOUT 900)
  endif()
endforeach()
