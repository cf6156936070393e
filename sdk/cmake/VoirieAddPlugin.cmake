# voirie_add_plugin(<target> SOURCES <src>... MANIFEST <plugin.json>
#                   [OUTPUT_DIRECTORY <dir>] [INSTALL_DESTINATION <dir>] [NO_INSTALL])
#
# Builds a Voirie plugin: a MODULE library named after the manifest's "id" (no "lib" prefix),
# hidden symbol visibility (only the entry function is exported), the manifest copied beside
# the binary as plugin.json, and both installed into <INSTALL_DESTINATION>/<id>/.
#
# Defaults: OUTPUT_DIRECTORY = ${VOIRIE_PLUGIN_BUILD_DIR}/<id> when that variable is set, else
# ${CMAKE_CURRENT_BINARY_DIR}/<id>; INSTALL_DESTINATION = lib/voirie/plugins.
function(voirie_add_plugin target)
    cmake_parse_arguments(ARG "NO_INSTALL" "MANIFEST;OUTPUT_DIRECTORY;INSTALL_DESTINATION" "SOURCES" ${ARGN})
    if(NOT ARG_MANIFEST)
        message(FATAL_ERROR "voirie_add_plugin(${target}): MANIFEST <plugin.json> is required")
    endif()
    get_filename_component(manifest "${ARG_MANIFEST}" ABSOLUTE)
    file(READ "${manifest}" manifest_text)
    string(JSON plugin_id ERROR_VARIABLE json_error GET "${manifest_text}" id)
    if(json_error)
        message(FATAL_ERROR "voirie_add_plugin(${target}): ${manifest} has no readable \"id\": ${json_error}")
    endif()

    if(NOT ARG_OUTPUT_DIRECTORY)
        if(VOIRIE_PLUGIN_BUILD_DIR)
            set(ARG_OUTPUT_DIRECTORY "${VOIRIE_PLUGIN_BUILD_DIR}/${plugin_id}")
        else()
            set(ARG_OUTPUT_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/${plugin_id}")
        endif()
    endif()
    if(NOT ARG_INSTALL_DESTINATION)
        set(ARG_INSTALL_DESTINATION "lib/voirie/plugins")
    endif()

    add_library(${target} MODULE ${ARG_SOURCES})
    target_link_libraries(${target} PRIVATE Voirie::sdk)
    target_compile_features(${target} PRIVATE cxx_std_17)
    set_target_properties(${target} PROPERTIES
        PREFIX ""
        OUTPUT_NAME "${plugin_id}"
        LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIRECTORY}"
        C_VISIBILITY_PRESET hidden
        CXX_VISIBILITY_PRESET hidden
        VISIBILITY_INLINES_HIDDEN ON
        VOIRIE_PLUGIN_ID "${plugin_id}")
    # configure_file re-copies whenever the manifest changes.
    configure_file("${manifest}" "${ARG_OUTPUT_DIRECTORY}/plugin.json" COPYONLY)

    if(NOT ARG_NO_INSTALL)
        install(TARGETS ${target} LIBRARY DESTINATION "${ARG_INSTALL_DESTINATION}/${plugin_id}")
        install(FILES "${manifest}" DESTINATION "${ARG_INSTALL_DESTINATION}/${plugin_id}"
                RENAME plugin.json)
    endif()
endfunction()
