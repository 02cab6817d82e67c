#!/usr/bin/env bash
# Build the offline bundle (issue 8, item 6): one archive an office with no internet installs
# dingmi from. Run by `make bundle` (which trains the default model first); needs the network.
#
#   packaging/bundle.sh [--no-debs] OUT_DIR
#
# The archive dist/dingmi-bundle-<version>-<commit>-py<X.Y>-<arch>.tar holds:
#   src/      the committed source tree (git archive HEAD): code, corpus/, app, examples/
#   wheels/   every Python wheel the product needs (pip wheel of the project's dependencies,
#             sdist-only ones such as jieba built here), setuptools to install src/ editable,
#             constraints.txt pinning each of them
#   model/    the active default model (<version>/ and CURRENT) from the data home
#   debs/     the Debian packages of the optional parts with all their dependencies
#             (apt-get download; fonts-wqy-zenhei, fontconfig, libreoffice-writer-nogui) and a
#             Packages index, so apt installs them as a local repository
#   install.sh, README.txt, MANIFEST, SHA256SUMS
#
# Wheels and Debian packages are for the machine that builds: the same Python minor version,
# CPU architecture and Debian release are needed where the bundle is installed (MANIFEST says
# which; install.sh checks).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
PY="${PY:-$repo/.venv/bin/python}"
debs=1
if [ "${1:-}" = "--no-debs" ]; then debs=0; shift; fi
out="${1:?usage: packaging/bundle.sh [--no-debs] OUT_DIR}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

cd "$repo"
version="$("$PY" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')"
commit="$(git rev-parse --short=10 HEAD)"
pyver="$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
arch="$(uname -m)"
name="dingmi-bundle-$version-$commit-py$pyver-$arch"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
stage="$work/$name"
mkdir -p "$stage/src" "$stage/wheels" "$stage/model"
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "bundle: note: uncommitted changes are not in the bundle (it holds HEAD, $commit)" >&2
fi

echo "bundle: source tree (git archive HEAD)" >&2
git archive --format=tar HEAD | tar -x -C "$stage/src"

echo "bundle: Python wheels (pip wheel)" >&2
# The dingmi wheel itself is built too and kept out: installed from a wheel, dingmi cannot
# find corpus/ (classifier/config.py resolves it beside the package), so install.sh installs
# src/ in editable mode exactly as `make install` does; setuptools is its build backend.
"$PY" -m pip wheel -q --disable-pip-version-check -w "$stage/wheels" "$stage/src" 'setuptools>=77'
rm -f "$stage"/wheels/dingmi-*.whl
"$PY" - "$stage/wheels" <<'PYEOF'
import sys, pathlib
d = pathlib.Path(sys.argv[1])
pins = sorted({(w.name.split("-")[0].replace("_", "-").lower(), w.name.split("-")[1])
               for w in d.glob("*.whl")})
(d / "constraints.txt").write_text("".join(f"{n}=={v}\n" for n, v in pins), encoding="utf-8")
PYEOF

echo "bundle: default model" >&2
model="$("$PY" -c 'from classifier.config import Settings; from classifier.engine.model import latest_model_dir; print(latest_model_dir(Settings.from_env().models_dir).resolve())')"
cp -a "$model" "$stage/model/"
basename "$model" > "$stage/model/CURRENT"

top="fonts-wqy-zenhei fontconfig libreoffice-writer-nogui"
if [ "$debs" = 1 ]; then
  echo "bundle: Debian packages with dependencies (apt-get download)" >&2
  mkdir -p "$stage/debs"
  # The whole dependency closure (without recommends), so that a minimal installation of the
  # same Debian release has everything; apt installs only what is missing there.
  pkgs="$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
          --no-replaces --no-enhances $top | grep -E '^[a-z0-9]' | sort -u)"
  (cd "$stage/debs" && apt-get download $pkgs >/dev/null 2>&1 || apt-get download $pkgs)
  # A Packages index (what dpkg-scanpackages writes), made with dpkg-deb alone.
  (cd "$stage/debs" && for f in *.deb; do
     dpkg-deb -f "$f"
     printf 'Filename: ./%s\nSize: %s\nSHA256: %s\n\n' "$f" "$(stat -c %s "$f")" \
       "$(sha256sum "$f" | cut -d' ' -f1)"
   done > Packages)
  echo "$top" > "$stage/debs/TOP"
fi

cp "$here/install.sh" "$stage/install.sh"
chmod +x "$stage/install.sh"
cp "$here/bundle-README.txt" "$stage/README.txt"
{
  echo "name=$name"
  echo "version=$version"
  echo "commit=$(git rev-parse HEAD)"
  echo "python=$pyver"
  echo "arch=$arch"
  echo "debian=$( (. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-unknown}") || echo unknown)"
  echo "model=$(basename "$model")"
  echo "debs=$debs"
  echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$stage/MANIFEST"
(cd "$stage" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum > SHA256SUMS)

tar -C "$work" -cf "$out/$name.tar" "$name"
echo "$out/$name.tar"
