# Helpers that keep the top-level CMakeLists.txt a table of contents.

set(SPEECHLEAK_ROOM_TARGETS "")

function(speechleak_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
endfunction()

# speechleak_torch_pch(<target> <group>)
# Gives <target> runtime/torch_pch.h precompiled, shared by every target of <group> (targets compiled with the same
# flags): the group's first target builds it, the others reuse it.
function(speechleak_torch_pch target group)
  if(NOT SPEECHLEAK_USE_PCH)
    return()
  endif()
  get_property(owner GLOBAL PROPERTY SPEECHLEAK_PCH_OWNER_${group})
  if(owner)
    target_precompile_headers(${target} REUSE_FROM ${owner})
  else()
    target_precompile_headers(${target} PRIVATE ${CMAKE_SOURCE_DIR}/src/speechleak/runtime/torch_pch.h)
    set_property(GLOBAL PROPERTY SPEECHLEAK_PCH_OWNER_${group} ${target})
  endif()
endfunction()

# speechleak_room(<name> [DEPS room... | TORCH] [LIBS target...])
# Builds src/speechleak/<name>/*.cpp into the static library speechleak_<name>.
# TORCH links libtorch and precompiles the narrow torch headers the room uses.
function(speechleak_room name)
  cmake_parse_arguments(R "" "" "DEPS;LIBS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/speechleak/${name}/*.cpp)
  if(NOT sources)
    # A room still being written: an empty file keeps its dependents linking.
    set(sources ${CMAKE_SOURCE_DIR}/cmake/empty_room.cpp)
  endif()
  add_library(speechleak_${name} STATIC ${sources})
  target_include_directories(speechleak_${name} PUBLIC ${CMAKE_SOURCE_DIR}/src)
  target_compile_definitions(speechleak_${name} PUBLIC SPEECHLEAK_VERSION="${PROJECT_VERSION}")
  set(uses_torch OFF)
  foreach(dep IN LISTS R_DEPS)
    if(dep STREQUAL "TORCH")
      set(uses_torch ON)
    else()
      target_link_libraries(speechleak_${name} PUBLIC speechleak_${dep})
    endif()
  endforeach()
  if(uses_torch)
    set_property(GLOBAL APPEND PROPERTY SPEECHLEAK_TORCH_ROOMS ${name})
    target_link_libraries(speechleak_${name} PUBLIC ${TORCH_LIBRARIES})
    # One precompiled header for every torch room (the rooms compile with the same flags): built once, with the
    # first torch room, instead of once per room (about 25 s each on 2 cores).
    speechleak_torch_pch(speechleak_${name} ROOMS)
  endif()
  target_link_libraries(speechleak_${name} PUBLIC ${R_LIBS})
  speechleak_warnings(speechleak_${name})
  set(SPEECHLEAK_ROOM_TARGETS ${SPEECHLEAK_ROOM_TARGETS} speechleak_${name} PARENT_SCOPE)
endfunction()

# speechleak_tests(<room> LABEL <label> [COST <n>])
# Builds tests/<room>/*.cpp into test_<room>; every GoogleTest case becomes a CTest test with that label. COST
# orders a parallel ctest without timing history (CI's clean checkout): costlier tests start first, so that the
# minutes-long end-to-end tests do not run alone at the end.
function(speechleak_tests room)
  cmake_parse_arguments(T "" "LABEL;COST" "" ${ARGN})
  if(NOT T_COST)
    set(T_COST 0)
  endif()
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/${room}/*.cpp)
  if(NOT sources)
    return()
  endif()
  add_executable(test_${room} ${sources} ${CMAKE_SOURCE_DIR}/tests/support/test_support.cpp)
  target_include_directories(test_${room} PRIVATE ${CMAKE_SOURCE_DIR}/tests)
  # A room's tests link that room alone (and what it depends on), so work in progress elsewhere can't break them.
  if(NOT room STREQUAL "cli" AND TARGET speechleak_${room})
    target_link_libraries(test_${room} PRIVATE speechleak_${room})
  else()
    target_link_libraries(test_${room} PRIVATE speechleak)
  endif()
  target_link_libraries(test_${room} PRIVATE GTest::gtest GTest::gtest_main PkgConfig::SNDFILE)
  target_compile_definitions(test_${room} PRIVATE
    SPEECHLEAK_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
    SPEECHLEAK_CLI_PATH="$<TARGET_FILE:speechleak_cli>")
  if(room STREQUAL "cli")
    add_dependencies(test_${room} speechleak_cli)
  endif()
  # The tests of torch-using rooms include the torch headers as their rooms do: one precompiled header, built with
  # the first such test executable, serves them all (tests/asr/ctc_model_test.cpp: 19.3 s without, 15.1 s with;
  # tests/train/masking_test.cpp: 16.7 s, 8.6 s). The command-line tests run the program and include no torch:
  # loading the header would cost them more than it saves.
  get_property(torch_rooms GLOBAL PROPERTY SPEECHLEAK_TORCH_ROOMS)
  if(room IN_LIST torch_rooms)
    speechleak_torch_pch(test_${room} TESTS)
  endif()
  speechleak_warnings(test_${room})
  # The code under test keeps the build type's optimisation (its rooms' libraries); the test files themselves do
  # little work, and compile about a fifth faster at -O1 than at -O3 (the build is most of a CI run on 2 cores).
  target_compile_options(test_${room} PRIVATE -O1)
  gtest_discover_tests(test_${room}
    PROPERTIES LABELS ${T_LABEL} COST ${T_COST}
    DISCOVERY_TIMEOUT 60)
endfunction()
