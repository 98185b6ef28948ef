# One INTERFACE target carries what every Socklab target gets: the language
# level, warnings and the Qt strictness macros.
add_library(socklab_options INTERFACE)
add_library(Socklab::options ALIAS socklab_options)

target_compile_features(socklab_options INTERFACE cxx_std_20)

target_compile_definitions(socklab_options INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CAST_FROM_BYTEARRAY
    QT_NO_URL_CAST_FROM_STRING
    QT_NO_CONTEXTLESS_CONNECT
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_NO_FOREACH
    QT_NO_KEYWORDS
    QT_USE_QSTRINGBUILDER
    QT_STRICT_ITERATORS
    SOCKLAB_VERSION="${PROJECT_VERSION}")

# Warnings by compiler. MSVC also reads the sources as UTF-8 (u"简体中文"_s
# needs /utf-8), follows the standard (/permissive-) and reports the real
# __cplusplus, which Qt checks.
if(MSVC)
    target_compile_options(socklab_options INTERFACE /W4 /utf-8 /permissive- /Zc:__cplusplus)
    if(SOCKLAB_WERROR)
        target_compile_options(socklab_options INTERFACE /WX)
    endif()
else()
    target_compile_options(socklab_options INTERFACE
        -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
        -Wcast-align -Woverloaded-virtual -Wconversion -Wsign-conversion
        -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
    if(SOCKLAB_WERROR)
        target_compile_options(socklab_options INTERFACE -Werror)
    endif()
endif()

# The sanitizers are GCC's and Clang's.
if(SOCKLAB_SANITIZE)
    if(NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
        message(FATAL_ERROR "SOCKLAB_SANITIZE needs GCC or Clang, not ${CMAKE_CXX_COMPILER_ID}")
    endif()
    target_compile_options(socklab_options INTERFACE
        -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
    target_link_options(socklab_options INTERFACE -fsanitize=address,undefined)
endif()
