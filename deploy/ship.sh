#!/usr/bin/env bash
# Build a release (deploy/build-release.sh) and deploy it (deploy/deploy.sh) to TARGET:
# "user@host:/srv/athenas" over ssh/scp, or a directory on this machine. What the Jenkins
# Deploy stage runs (`make deploy DEPLOY_TARGET=...`).
#
#   deploy/ship.sh TARGET [deploy.sh options, e.g. --systemctl "sudo systemctl"]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[ $# -ge 1 ] || { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
target="$1"
shift

tarball="$("$here/build-release.sh" | tail -n 1)"
echo "ship: release $(basename "$tarball") -> $target"

case "$target" in
  *:*)
    host="${target%%:*}"
    dir="${target#*:}"
    remote_tmp="$(ssh "$host" mktemp -d)"
    scp -q "$tarball" "$here/deploy.sh" "$host:$remote_tmp/"
    args="$(printf '%q ' --target "$dir" --release "$remote_tmp/$(basename "$tarball")" "$@")"
    status=0
    ssh "$host" "bash $remote_tmp/deploy.sh $args" || status=$?
    ssh "$host" "rm -rf $remote_tmp" || true
    exit "$status"
    ;;
  *)
    exec "$here/deploy.sh" --target "$target" --release "$tarball" "$@"
    ;;
esac
