# End-to-end tests. Each runs the built foobarctl (passed as FOOBARCTL) from the
# source tree. Tests that need lab hosts carry the label "lab".
set(FOOBARCTL_BIN $<TARGET_FILE:foobarctl>)
function(foobar_e2e name script)
  add_test(NAME ${name} COMMAND bash ${CMAKE_SOURCE_DIR}/${script})
  set_tests_properties(${name} PROPERTIES
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
    ENVIRONMENT "FOOBARCTL=$<TARGET_FILE:foobarctl>;FOOBAR_BUILD_DIR=${CMAKE_BINARY_DIR}"
    ${ARGN})
endfunction()

file(GLOB FOOBAR_E2E_LISTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/*/tests.cmake)
foreach(f ${FOOBAR_E2E_LISTS})
  include(${f})
endforeach()

# The lab is one bridge per machine: tests labelled "lab" hold one lock, so `ctest -j`
# runs the others (render, template, check, unit) beside them but never two labs at once.
get_property(FOOBAR_ALL_TESTS DIRECTORY PROPERTY TESTS)
foreach(t ${FOOBAR_ALL_TESTS})
  get_test_property(${t} LABELS labels)
  if(labels AND "lab" IN_LIST labels)
    set_property(TEST ${t} APPEND PROPERTY RESOURCE_LOCK foobar-lab)
  endif()
endforeach()
