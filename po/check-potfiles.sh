#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Fails when a C file under src/ marks strings for translation but is not
# listed in po/POTFILES.in, or when POTFILES.in lists a file that does not
# exist or is out of order. Usage: check-potfiles.sh SOURCE_ROOT
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

unlisted=$(grep -rlE --include='*.c' '(^|[^A-Za-z0-9_])(N?C?_|g_d?n?gettext|g_dpgettext2?) *\(' src \
  | LC_ALL=C sort | grep -vxF "$listed" || true)
if [ -n "$unlisted" ]; then
  # shellcheck disable=SC2086 # one file name per word
  printf '%s has translatable strings but is missing from po/POTFILES.in\n' $unlisted
  status=1
fi

exit "$status"
