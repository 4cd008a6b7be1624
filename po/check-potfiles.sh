#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Fails when a file with translatable strings is not listed in
# po/POTFILES.in, or when POTFILES.in lists a file that does not exist or
# is out of order. Files with strings are: C files under src/ that call
# gettext (_, N_, C_, NC_, ngettext and GLib's g_d*gettext), GtkBuilder
# files under src/ with translatable="yes", and every desktop entry,
# metainfo and settings schema under data/.
# Usage: check-potfiles.sh SOURCE_ROOT
set -eu

cd "$1"
status=0

listed=$(grep -v '^#' po/POTFILES.in | grep -v '^$')

for file in $listed; do
  if [ ! -f "$file" ]; then
    echo "po/POTFILES.in lists $file, which does not exist"
    status=1
  fi
done

if [ "$listed" != "$(printf '%s\n' "$listed" | LC_ALL=C sort)" ]; then
  echo "po/POTFILES.in is not sorted"
  status=1
fi

found=$({
  grep -rlE --include='*.c' \
    '(^|[^A-Za-z0-9_])(N?C?_|n?gettext|g_d?n?gettext|g_dc?gettext|g_dpgettext2?) *\(' src || true
  grep -rl --include='*.ui' 'translatable="yes"' src || true
  find data -name '*.desktop.in' -o -name '*.metainfo.xml.in' -o -name '*.gschema.xml'
} | LC_ALL=C sort -u)

unlisted=$(printf '%s\n' "$found" | grep -vxF "$listed" || true)
if [ -n "$unlisted" ]; then
  # shellcheck disable=SC2086 # one file name per word
  printf '%s has translatable strings but is missing from po/POTFILES.in\n' $unlisted
  status=1
fi

exit "$status"
