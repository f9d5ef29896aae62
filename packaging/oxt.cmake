# build/saleskpi.oxt: the extension package. Included from addin/CMakeLists.txt
# (it needs the component target `saleskpi` and the type library).
#
# Templates are filled with configure_file; the package is staged in the build
# tree (oxt-stage/) and zipped from there with `cmake -E tar --format=zip`.
# Nothing is written into the source tree.

set(SALESKPI_EXTENSION_ID org.saleskpi.extension CACHE STRING "The extension's identifier in description.xml")
set(SALESKPI_PUBLISHER "SalesKPI" CACHE STRING "Publisher shown by the Extension Manager")
set(SALESKPI_PUBLISHER_URL "https://saleskpi.example/" CACHE STRING "Publisher link shown by the Extension Manager")
set(SALESKPI_OXT_PLATFORM Linux_x86_64)
set(SALESKPI_OXT_LIBRARY libsaleskpi.so)
# Must match kServiceName / kImplementationName in addin/src/function_catalog.hpp
# (tests/office/test_package.py checks it).
set(SALESKPI_ADDIN_SERVICE org.saleskpi.KpiFunctions)
set(SALESKPI_ADDIN_IMPLEMENTATION org.saleskpi.KpiFunctions)

set(packaging_dir ${PROJECT_SOURCE_DIR}/packaging)
set(filled_dir ${CMAKE_BINARY_DIR}/oxt-filled)
set(oxt_stage ${CMAKE_BINARY_DIR}/oxt-stage)
set(SALESKPI_OXT ${CMAKE_BINARY_DIR}/saleskpi.oxt CACHE INTERNAL "The extension package")

configure_file(${packaging_dir}/description.xml.in ${filled_dir}/description.xml @ONLY)
configure_file(${packaging_dir}/manifest.xml.in ${filled_dir}/manifest.xml @ONLY)
configure_file(${packaging_dir}/saleskpi.components.in ${filled_dir}/saleskpi.components @ONLY)

set(static_files
  config/Addons.xcu
  config/Factories.xcu
  config/Jobs.xcu
  config/OptionsDialog.xcu
  config/ProtocolHandler.xcu
  config/Settings.xcs
  config/Sidebar.xcu
  description/description_en.txt
  description/description_vi.txt
  dialogs/Options.xdl
  dialogs/Options_en_US.default
  dialogs/Options_en_US.properties
  dialogs/Options_vi_VN.properties
  dialogs/ReportSheet.xdl
  dialogs/ReportSheet_en_US.default
  dialogs/ReportSheet_en_US.properties
  dialogs/ReportSheet_vi_VN.properties
  dialogs/ExportStatements.xdl
  dialogs/ExportStatements_en_US.default
  dialogs/ExportStatements_en_US.properties
  dialogs/ExportStatements_vi_VN.properties
  dialogs/SuggestTargets.xdl
  dialogs/SuggestTargets_en_US.default
  dialogs/SuggestTargets_en_US.properties
  dialogs/SuggestTargets_vi_VN.properties
  icons/sidebar.png
  registration/license_en.txt
  registration/license_vi.txt
)
set(copy_static_files)
set(static_sources)
foreach(file ${static_files})
  list(APPEND copy_static_files COMMAND ${CMAKE_COMMAND} -E copy ${packaging_dir}/${file} ${oxt_stage}/${file})
  list(APPEND static_sources ${packaging_dir}/${file})
endforeach()

add_custom_command(
  OUTPUT ${SALESKPI_OXT}
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${oxt_stage}
  COMMAND ${CMAKE_COMMAND} -E make_directory
          ${oxt_stage}/META-INF ${oxt_stage}/lib ${oxt_stage}/config ${oxt_stage}/description ${oxt_stage}/registration
          ${oxt_stage}/icons ${oxt_stage}/templates/SalesKPI ${oxt_stage}/dialogs ${oxt_stage}/statements
  COMMAND ${CMAKE_COMMAND} -E copy ${SALESKPI_TEMPLATE_FILES} ${oxt_stage}/templates/SalesKPI
  COMMAND ${CMAKE_COMMAND} -E copy ${SALESKPI_TEMPLATES_XCU} ${oxt_stage}/Paths.xcu
  COMMAND ${CMAKE_COMMAND} -E copy ${SALESKPI_STATEMENT_TEMPLATES} ${oxt_stage}/statements
  COMMAND ${CMAKE_COMMAND} -E copy ${filled_dir}/manifest.xml ${oxt_stage}/META-INF/manifest.xml
  COMMAND ${CMAKE_COMMAND} -E copy ${filled_dir}/description.xml ${oxt_stage}/description.xml
  COMMAND ${CMAKE_COMMAND} -E copy ${filled_dir}/saleskpi.components ${oxt_stage}/saleskpi.components
  COMMAND ${CMAKE_COMMAND} -E copy ${SALESKPI_ADDIN_RDB} ${oxt_stage}/saleskpi.rdb
  COMMAND ${CMAKE_COMMAND} -E copy $<TARGET_FILE:saleskpi> ${oxt_stage}/lib/${SALESKPI_OXT_LIBRARY}
  ${copy_static_files}
  COMMAND ${CMAKE_COMMAND} -E rm -f ${SALESKPI_OXT}
  # Every top-level entry of the stage, so the archive has no "./" prefixes.
  COMMAND ${CMAKE_COMMAND} -E chdir ${oxt_stage}
          ${CMAKE_COMMAND} -E tar cf ${SALESKPI_OXT} --format=zip --
          META-INF description.xml saleskpi.components saleskpi.rdb lib config description registration icons Paths.xcu templates dialogs statements
  DEPENDS
    saleskpi
    saleskpi_templates ${SALESKPI_TEMPLATE_FILES} ${SALESKPI_TEMPLATES_XCU} ${SALESKPI_STATEMENT_TEMPLATES}
    ${SALESKPI_ADDIN_RDB}
    ${filled_dir}/description.xml ${filled_dir}/manifest.xml ${filled_dir}/saleskpi.components
    ${static_sources}
  COMMENT "Packing ${SALESKPI_OXT}"
  VERBATIM)
add_custom_target(oxt ALL DEPENDS ${SALESKPI_OXT})
