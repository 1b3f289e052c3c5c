# generate.cmake: runs BIN with ARGS (comma-separated) and writes what it prints to OUT,
# failing when BIN fails.   cmake -DBIN=feedspool -DARGS=help,--man -DOUT=feedspool.1 -P generate.cmake
string(REPLACE "," ";" ARGS "${ARGS}")
get_filename_component(dir ${OUT} DIRECTORY)
file(MAKE_DIRECTORY ${dir})
execute_process(COMMAND ${BIN} ${ARGS} OUTPUT_FILE ${OUT}.tmp RESULT_VARIABLE failed)
if(failed)
  file(REMOVE ${OUT}.tmp)
  message(FATAL_ERROR "${BIN} ${ARGS}: ${failed}")
endif()
file(RENAME ${OUT}.tmp ${OUT})
