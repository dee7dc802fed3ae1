# SPDX-License-Identifier: GPL-3.0-or-later
# signalbox_add_test(NAME <name> SOURCES <files...> LIBS <targets...> [TIMEOUT <s>] [POSTGRES])
#
# Adds one Qt Test executable and registers it with CTest. Every test runs with
# the offscreen platform plugin, without Qt's stack dump, with a timeout, and
# knows where the shared test data lives (SIGNALBOX_TESTDATA_DIR at compile
# time and in the environment). A POSTGRES suite is registered twice: <name>
# on SQLite and <name>_postgres with SIGNALBOX_TEST_STORE=postgresql, which
# runs it against a PostgreSQL server that it starts (tests/pgserver.h).
set(SIGNALBOX_TESTDATA_DIR "${PROJECT_SOURCE_DIR}/tests/data")

function(signalbox_add_test)
    cmake_parse_arguments(ARG "POSTGRES" "NAME;TIMEOUT" "SOURCES;LIBS" ${ARGN})
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 120)
    endif()
    find_package(Qt6 REQUIRED COMPONENTS Test)
    add_executable(${ARG_NAME} ${ARG_SOURCES})
    target_link_libraries(${ARG_NAME} PRIVATE Qt6::Test ${ARG_LIBS})
    target_include_directories(${ARG_NAME} PRIVATE "${PROJECT_SOURCE_DIR}/tests")
    target_compile_definitions(${ARG_NAME} PRIVATE
        SIGNALBOX_TESTDATA_DIR="${SIGNALBOX_TESTDATA_DIR}"
        SIGNALBOX_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
        SIGNALBOX_BINARY="$<TARGET_FILE:signalbox>")
    set(environment "QT_QPA_PLATFORM=offscreen;QTEST_DISABLE_STACK_DUMP=1;SIGNALBOX_TESTDATA_DIR=${SIGNALBOX_TESTDATA_DIR}")
    add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME})
    set_tests_properties(${ARG_NAME} PROPERTIES TIMEOUT ${ARG_TIMEOUT} ENVIRONMENT "${environment}")
    if(ARG_POSTGRES)
        add_test(NAME ${ARG_NAME}_postgres COMMAND ${ARG_NAME})
        set_tests_properties(${ARG_NAME}_postgres PROPERTIES
            TIMEOUT ${ARG_TIMEOUT}
            ENVIRONMENT "${environment};SIGNALBOX_TEST_STORE=postgresql"
            SKIP_REGULAR_EXPRESSION "SKIP   : .*(package|driver)")
    endif()
endfunction()
