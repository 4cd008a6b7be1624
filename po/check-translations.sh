#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Fails unless every language in po/LINGUAS is complete for the strings
# the sources have now: the catalogue compiles (msgfmt --check), and
# `msgfmt --statistics` reports neither untranslated nor fuzzy messages,
# both for po/LANG.po as committed and for po/LANG.po merged with a
# template extracted afresh from the files in po/POTFILES.in (so a string
# added to the sources but not yet translated fails here, naming it).
# Nothing in the source tree is written. Prints TAP.
# Usage: check-translations.sh SOURCE_ROOT
set -eu

cd "$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0

# The keywords of meson's i18n.gettext(preset: 'glib') plus ngettext,
# which xgettext knows by itself for C.
xgettext --package-name=charla --from-code=UTF-8 --add-comments \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 \
  --keyword=g_dpgettext2:2c,3 \
  --directory=. --files-from=po/POTFILES.in --output="$work/charla.pot"

# Set to " # TODO ..." to report a string not yet translated without
# failing, while a round is still adding strings; "" makes it a failure.
untranslated_todo=""

n=0
tap () {  # tap OK|NOT_OK DESCRIPTION [DIRECTIVE]
  n=$((n + 1))
  if [ "$1" = ok ]; then echo "ok $n - $2"; else echo "not ok $n - $2${3:-}"; fi
}

incomplete () {
  case $1 in *untranslated* | *fuzzy*) return 0 ;; *) return 1 ;; esac
}

for lang in $(sed 's/#.*//' po/LINGUAS); do
  po="po/$lang.po"
  if stats=$(msgfmt --check --statistics --output-file=/dev/null "$po" 2>&1) \
      && ! incomplete "$stats"; then
    tap ok "$po is complete: $stats"
  else
    tap not_ok "$po is complete: $stats"
    status=1
  fi

  msgmerge --quiet --output-file="$work/$lang.po" "$po" "$work/charla.pot"
  if stats=$(msgfmt --check --statistics --output-file=/dev/null "$work/$lang.po" 2>&1) \
      && ! incomplete "$stats"; then
    tap ok "$po translates every string of the sources: $stats"
  else
    echo "# Not yet translated (meson compile -C _build charla-update-po, then translate):"
    msgattrib --untranslated --no-obsolete --no-wrap "$work/$lang.po" \
      | grep '^msgid ' | sed '1d; s/^/#   /'
    echo "# Fuzzy:"
    msgattrib --only-fuzzy --no-obsolete --no-wrap "$work/$lang.po" \
      | grep '^msgid ' | sed '1d; s/^/#   /'
    tap not_ok "$po translates every string of the sources: $stats" "$untranslated_todo"
    [ -n "$untranslated_todo" ] || status=1
  fi
done

echo "1..$n"
exit "$status"
