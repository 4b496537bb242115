# Helpers that keep the top-level CMakeLists.txt a table of contents.

set(SPEECHLEAK_ROOM_TARGETS "")

function(speechleak_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
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
    target_link_libraries(speechleak_${name} PUBLIC ${TORCH_LIBRARIES})
    if(SPEECHLEAK_USE_PCH)
      target_precompile_headers(speechleak_${name} PRIVATE ${CMAKE_SOURCE_DIR}/src/speechleak/runtime/torch_pch.h)
    endif()
  endif()
  target_link_libraries(speechleak_${name} PUBLIC ${R_LIBS})
  speechleak_warnings(speechleak_${name})
  set(SPEECHLEAK_ROOM_TARGETS ${SPEECHLEAK_ROOM_TARGETS} speechleak_${name} PARENT_SCOPE)
endfunction()

# speechleak_tests(<room> LABEL <label>)
# Builds tests/<room>/*.cpp into test_<room>; every GoogleTest case becomes a CTest test with that label.
function(speechleak_tests room)
  cmake_parse_arguments(T "" "LABEL" "" ${ARGN})
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
  speechleak_warnings(test_${room})
  gtest_discover_tests(test_${room}
    PROPERTIES LABELS ${T_LABEL}
    DISCOVERY_TIMEOUT 60)
endfunction()
