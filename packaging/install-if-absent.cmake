# install-if-absent.cmake: the install step of a configuration file: copies SOURCE to
# DEST (under $DESTDIR) only when nothing is there yet, so that `make install` never
# replaces an edited configuration or a feed list grown with import-opml. Included from
# install(CODE) with SOURCE and DEST set.
set(target "$ENV{DESTDIR}${DEST}")
if(EXISTS "${target}" OR IS_SYMLINK "${target}")
  message(STATUS "Kept (exists): ${target}")
else()
  get_filename_component(dir "${target}" DIRECTORY)
  get_filename_component(name "${SOURCE}" NAME)
  string(RANDOM LENGTH 8 staging)
  set(staging "${dir}/.install-${staging}")
  file(COPY "${SOURCE}" DESTINATION "${staging}"
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  file(RENAME "${staging}/${name}" "${target}")
  file(REMOVE_RECURSE "${staging}")
  message(STATUS "Installing (new): ${target}")
endif()
