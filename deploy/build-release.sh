#!/usr/bin/env bash
# Build a release tarball of Athenas: the application files plus, unless --no-wheels, a
# wheelhouse of every runtime dependency pinned by constraints.txt and the matching
# requirements.txt, so the target installs them offline (deploy/deploy.sh).
#
#   deploy/build-release.sh [--source DIR] [--out DIR] [--version ID] [--python PY] [--no-wheels]
#
# Prints the path of the tarball (athenas-<version>.tar.gz) on its last line.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source_dir="$(cd "$here/.." && pwd)"
out_dir=""
version=""
python="${PYTHON:-python3.11}"
wheels=1

usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --source) source_dir="$(cd "$2" && pwd)"; shift 2 ;;
    --out) out_dir="$2"; shift 2 ;;
    --version) version="$2"; shift 2 ;;
    --python) python="$2"; shift 2 ;;
    --no-wheels) wheels=0; shift ;;
    -h|--help) usage 0 ;;
    *) echo "build-release: opção desconhecida: $1" >&2; usage 2 >&2 ;;
  esac
done

out_dir="${out_dir:-$source_dir/dist}"
mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"
if [ -z "$version" ]; then
  commit="$(git -C "$source_dir" rev-parse --short=10 HEAD 2>/dev/null || echo local)"
  version="$(date -u +%Y%m%d%H%M%S)-$commit"
fi
case "$version" in
  *[!A-Za-z0-9._-]*|"") echo "build-release: versão inválida: $version" >&2; exit 2 ;;
esac

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
root="$stage/athenas-$version"
mkdir -p "$root"

# What runs in production: code, templates, static files, migrations and entry points.
# Never the instance/ folder (data), tests, caches or the virtualenv.
for item in portal sandbox_bank templates static migrations wsgi.py gunicorn.conf.py \
            pyproject.toml constraints.txt deploy; do
  if [ ! -e "$source_dir/$item" ]; then
    echo "build-release: falta $item em $source_dir" >&2
    exit 1
  fi
  cp -R "$source_dir/$item" "$root/"
done
find "$root" -name __pycache__ -type d -prune -exec rm -rf {} +
find "$root" -name '*.pyc' -delete

{
  echo "version=$version"
  echo "commit=$(git -C "$source_dir" rev-parse HEAD 2>/dev/null || echo unknown)"
  echo "built_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$root/BUILD"

if [ "$wheels" = 1 ]; then
  # Wheels of the project and all its runtime dependencies at the pinned versions; the
  # project's own wheel is dropped (the release runs from its files, next to templates/).
  # (Built from the staged copy, so setuptools' build/ never lands in the source tree.)
  "$python" -m pip wheel --quiet --disable-pip-version-check \
    -c "$root/constraints.txt" --wheel-dir "$stage/wheels" "$root"
  rm -rf "$root/build" "$root"/*.egg-info "$stage"/wheels/athenas-*.whl
  mv "$stage/wheels" "$root/wheels"
  "$python" - "$root/wheels" > "$root/requirements.txt" <<'PY'
import pathlib, sys
for wheel in sorted(pathlib.Path(sys.argv[1]).glob("*.whl")):
    name, version = wheel.name.split("-")[:2]
    print(f"{name.replace('_', '-').lower()}=={version}")
PY
fi

tarball="$out_dir/athenas-$version.tar.gz"
tar -C "$stage" -czf "$tarball" "athenas-$version"
echo "$tarball"
