#!/usr/bin/env bash
# Removes the SalesKPI extension from the current user's LibreOffice profile
# (`make uninstall`); for whom, see scripts/oxt-install.sh.
exec "$(dirname "${BASH_SOURCE[0]}")/oxt-install.sh" --uninstall "$@"
