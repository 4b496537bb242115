# The mia_bench target (not a test). Included by bench/CMakeLists.txt.
add_executable(mia_bench ${CMAKE_CURRENT_LIST_DIR}/mia_bench.cpp)
target_link_libraries(mia_bench PRIVATE speechleak_attack)
set_target_properties(mia_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
