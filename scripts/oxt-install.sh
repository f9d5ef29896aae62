#!/usr/bin/env bash
# Installs build/saleskpi.oxt into the current user's LibreOffice profile
# (`make install`), or removes it with --uninstall (`make uninstall`).
#
# Usage: scripts/oxt-install.sh [--uninstall] [OXT]     (OXT default: build/saleskpi.oxt)
#
# Whose profile:
#   - a normal user: their own, with `unopkg add` / `unopkg remove`;
#   - root under sudo: the invoking user ($SUDO_USER), with unopkg run as them
#     (unopkg refuses per-user installs as root);
#   - root otherwise (CI, containers): root's own profile, through the office's
#     ExtensionManager: a headless office is started on that profile for the
#     purpose and terminated afterwards.
# LibreOffice should not be running for that user meanwhile; an office that is
# running picks the change up at its next start.
set -euo pipefail

readonly IDENTIFIER=org.saleskpi.extension
readonly PROGRAM_DIR=/usr/lib/libreoffice/program
readonly UNOPKG=$PROGRAM_DIR/unopkg
readonly SOFFICE=$PROGRAM_DIR/soffice
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

action=add
if [ "${1:-}" = "--uninstall" ]; then action=remove; shift; fi
oxt=${1:-$repo/build/saleskpi.oxt}

die() { echo "oxt-install: $*" >&2; exit 1; }

[ -x "$UNOPKG" ] || die "LibreOffice is not installed (scripts/install-deps.sh office)"
if [ "$action" = add ]; then
  [ -f "$oxt" ] || die "$oxt not found: run make build first"
  oxt=$(cd "$(dirname "$oxt")" && pwd)/$(basename "$oxt")
fi

# --- unopkg, as a normal user --------------------------------------------------
as_user() {  # as_user USER COMMAND...: as USER with USER's HOME ("" = as ourselves)
  local user=$1; shift
  if [ -z "$user" ]; then
    "$@"
  else
    local home
    home=$(getent passwd "$user" | cut -d: -f6)
    runuser -u "$user" -- env -u XDG_CONFIG_HOME HOME="$home" "$@"
  fi
}

unopkg_as() { local user=$1; shift; as_user "$user" "$UNOPKG" "$@"; }

start_profile_once() {  # an extension added to a never-started profile is dropped at its first start
  local user=$1 config
  # shellcheck disable=SC2016 # expanded by the user's shell, not ours
  config=$(as_user "$user" sh -c 'echo "${XDG_CONFIG_HOME:-$HOME/.config}"')
  [ -d "$config/libreoffice/4/user" ] && return
  as_user "$user" "$SOFFICE" --headless --norestore --terminate_after_init >/dev/null 2>&1 ||
    die "cannot create the LibreOffice profile of ${user:-$(id -un)}"
}

with_unopkg() {
  local user=$1 source=$oxt workdir=""
  if [ "$action" = add ] && [ -n "$user" ]; then
    # The user may not reach the build tree (e.g. under /root): hand them a copy.
    workdir=$(mktemp -d)
    chmod 755 "$workdir"
    install -m 644 "$oxt" "$workdir/saleskpi.oxt"
    source=$workdir/saleskpi.oxt
  fi
  local status=0
  if [ "$action" = add ]; then
    start_profile_once "$user"
    unopkg_as "$user" add --force --suppress-license "$source" || status=$?
  elif unopkg_as "$user" list "$IDENTIFIER" >/dev/null 2>&1; then
    unopkg_as "$user" remove "$IDENTIFIER" || status=$?
  else
    echo "SalesKPI is not installed for ${user:-$(id -un)}"
    return
  fi
  if [ -n "$workdir" ]; then rm -rf "$workdir"; fi
  [ "$status" -eq 0 ] || die "unopkg $action failed for ${user:-$(id -un)}"
  echo "SalesKPI extension: $action done for ${user:-$(id -un)} (restart LibreOffice to use it)"
}

# --- the ExtensionManager, for root's own profile -------------------------------
with_extension_manager() {
  local profile=${XDG_CONFIG_HOME:-${HOME:-/root}/.config}/libreoffice/4
  start_profile_once ""
  local pipe="saleskpi_install_$$"
  "$SOFFICE" --headless --invisible --norestore --nologo --nodefault \
    "--accept=pipe,name=$pipe;urp;StarOffice.ComponentContext" "-env:UserInstallation=file://$profile" \
    >/dev/null 2>&1 &
  local office=$!
  local status=0
  /usr/bin/python3 - "$action" "$pipe" "$IDENTIFIER" "$oxt" <<'PYTHON' || status=$?
import sys
import time

import uno
import unohelper
from com.sun.star.connection import NoConnectException
from com.sun.star.task import XInteractionHandler
from com.sun.star.ucb import XCommandEnvironment

action, pipe, identifier, oxt = sys.argv[1:5]


class AcceptEverything(unohelper.Base, XInteractionHandler):
    """Approves the license and any question the installation asks."""

    def handle(self, request):
        approve = uno.getTypeByName("com.sun.star.task.XInteractionApprove")
        for continuation in request.getContinuations():
            if continuation.queryInterface(approve):
                continuation.select()
                return


class Environment(unohelper.Base, XCommandEnvironment):
    def getInteractionHandler(self):
        return AcceptEverything()

    def getProgressHandler(self):
        return None


local = uno.getComponentContext()
resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
deadline = time.monotonic() + 120
while True:
    try:
        context = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
        break
    except NoConnectException:
        if time.monotonic() > deadline:
            sys.exit("oxt-install: the office did not start")
        time.sleep(0.3)

manager = context.getValueByName("/singletons/com.sun.star.deployment.ExtensionManager")
environment = Environment()
try:
    if action == "add":
        manager.addExtension(uno.systemPathToFileUrl(oxt), (), "user", manager.createAbortChannel(), environment)
    else:
        installed = [p for p in manager.getDeployedExtensions("user", manager.createAbortChannel(), environment)
                     if p.getIdentifier().Value == identifier]
        for package in installed:
            manager.removeExtension(identifier, package.getName(), "user", manager.createAbortChannel(),
                                    environment)
        if not installed:
            sys.exit(3)
    found = [p for p in manager.getDeployedExtensions("user", manager.createAbortChannel(), environment)
             if p.getIdentifier().Value == identifier]
    if bool(found) != (action == "add"):
        sys.exit("oxt-install: the extension manager did not %s %s" % (action, identifier))
finally:
    try:
        context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context).terminate()
    except Exception:
        pass  # the connection ends with the office
PYTHON
  # The office exits after terminate(); stop it if it hangs.
  for _ in $(seq 60); do kill -0 "$office" 2>/dev/null || break; sleep 0.5; done
  kill "$office" 2>/dev/null || true
  wait "$office" 2>/dev/null || true
  if [ "$status" -eq 3 ]; then echo "SalesKPI is not installed for root"; return; fi
  [ "$status" -eq 0 ] || die "$action through the ExtensionManager failed for root"
  echo "SalesKPI extension: $action done for root (restart LibreOffice to use it)"
}

if [ "$(id -u)" -ne 0 ]; then
  with_unopkg ""
elif [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
  with_unopkg "$SUDO_USER"
else
  with_extension_manager
fi
