#!/usr/bin/env bash
# CI check of the offline install (issue 8, item 6), called by .ci/run.
#
# Builds the bundle (`make bundle`: needs PyPI and the Debian mirror, as CI machines have),
# checks its sums and Debian index, installs it with install.sh into a fresh directory and
# virtual environment (pip --no-index, inside a network namespace with no network where the
# kernel allows one), then runs `dingmi suggest` on examples/ with the bundled model and checks
# that every example gets a level from that model. A few minutes: ~35 s of wheels, ~5 s of
# Debian packages on a near mirror, ~1 min to install, seconds to suggest (training the default
# model first if the data home has none).
#
#   packaging/check-bundle.sh [BUNDLE.tar]     # an existing bundle instead of building one
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
start=$SECONDS
if [ $# -ge 1 ]; then
  bundle="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
else
  make bundle
  bundle="$(ls -t "$repo"/dist/dingmi-bundle-*.tar | head -1)"
fi
echo "check-bundle: $bundle ($(du -h "$bundle" | cut -f1))" >&2

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
tar -xf "$bundle" -C "$tmp"
b="$(echo "$tmp"/dingmi-bundle-*)"
(cd "$b" && sha256sum -c --quiet SHA256SUMS)
if [ -f "$b/debs/TOP" ]; then
  for p in $(cat "$b/debs/TOP"); do
    grep -qx "Package: $p" "$b/debs/Packages" || { echo "check-bundle: $p missing from debs/" >&2; exit 1; }
  done
fi

if [ -f "$b/debs/Packages" ]; then   # the local apt repository resolves, with no network
  mkdir -p "$tmp/apt/lists/partial"
  echo "deb [trusted=yes] file:$b/debs ./" > "$tmp/apt/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$tmp/apt/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
            -o "Dir::State::Lists=$tmp/apt/lists" -o "APT::Get::List-Cleanup=false"
            -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=")
  apt-get "${apt_opts[@]}" update -qq
  apt-get "${apt_opts[@]}" install -s -qq --no-install-recommends $(cat "$b/debs/TOP") >/dev/null
fi

offline=()
if unshare -rn true 2>/dev/null; then
  offline=(unshare -rn)
  echo "check-bundle: installing inside a network namespace with no network" >&2
else
  echo "check-bundle: no network namespace here; pip --no-index alone keeps the install offline" >&2
fi
unset DINGMI_HOME DINGMI_DATABASE_URL
"${offline[@]}" "$b/install.sh" --no-debs --target "$tmp/app" --python "${PY:-python3}"

cd "$tmp/app"   # nothing from the build checkout on the path
DINGMI_HOME="$tmp/app/var" "${offline[@]}" "$tmp/app/.venv/bin/dingmi" suggest --json examples/ \
  > "$tmp/suggest.jsonl"
python3 - "$tmp/suggest.jsonl" "$(sed -n 's/^model=//p' "$b/MANIFEST")" "$tmp/app/examples" <<'PYEOF'
import json, pathlib, sys
lines = [json.loads(x) for x in pathlib.Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()]
want = len(list(pathlib.Path(sys.argv[3]).glob("*.txt")))
assert len(lines) == want > 0, (len(lines), want)
for r in lines:
    assert r["error"] is None and r["level"], r
    assert r["model_version"] == sys.argv[2], (r["model_version"], sys.argv[2])
print("check-bundle: " + "; ".join(f'{pathlib.Path(r["file"]).name} → {r["level"]}' for r in lines),
      file=sys.stderr)
PYEOF
echo "check-bundle: ok in $((SECONDS - start)) s" >&2
