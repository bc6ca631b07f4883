# Runs EXE with ARGS (a ;-list) and writes its stdout to OUT: the man page, the
# completion script and the schema are made by the binary they describe.
get_filename_component(dir ${OUT} DIRECTORY)
file(MAKE_DIRECTORY ${dir})
execute_process(COMMAND ${EXE} ${ARGS} OUTPUT_FILE ${OUT}.tmp RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${EXE} ${ARGS} failed: ${rc}")
endif()
file(RENAME ${OUT}.tmp ${OUT})
