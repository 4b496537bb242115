# The pretrain_bench target (not a test): speechleak's pretraining step vs torchaudio (bench/pretrain_bench.sh).
add_executable(pretrain_bench ${CMAKE_CURRENT_LIST_DIR}/pretrain_bench.cpp)
target_link_libraries(pretrain_bench PRIVATE speechleak_train)
target_compile_options(pretrain_bench PRIVATE -Wall -Wextra -Wno-unused-parameter)
set_target_properties(pretrain_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
