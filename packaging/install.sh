#!/usr/bin/env bash
# Install dingmi from this offline bundle, with no network (issue 8, item 6).
#
#   ./install.sh [--target DIR] [--no-debs] [--python PYTHON]
#
# --target DIR   where dingmi is installed: DIR/.venv, and DIR/var the data home (the default
#                model is copied to $DINGMI_HOME, or DIR/var, unless one is there). If DIR holds
#                no pyproject.toml, the bundle's src/ is copied there first. Default: ./dingmi
# --no-debs      leave the Debian packages (CJK font, LibreOffice) alone
# --python PY    the Python to create the virtual environment with (default python3); its
#                version must be the one the bundle was built with (MANIFEST)
#
# The Debian packages are installed as root from debs/ used as a local apt repository (apt
# installs only what is missing); as another user the script prints the command and goes on.
# pip reads nothing but wheels/ (--no-index, and no pip configuration or PIP_* variables).
set -euo pipefail
bundle="$(cd "$(dirname "$0")" && pwd)"
target="$PWD/dingmi"
with_debs=1
py=python3
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target="$2"; shift 2 ;;
    --no-debs) with_debs=0; shift ;;
    --python) py="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "install.sh：未知参数 $1" >&2; exit 2 ;;
  esac
done
manifest() { sed -n "s/^$1=//p" "$bundle/MANIFEST"; }
say() { echo "【dingmi 离线安装】$*" >&2; }

want="$(manifest python)"
have="$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")' 2>/dev/null || true)"
if [ "$have" != "$want" ]; then
  say "本安装包需要 Python $want（当前 ${have:-未找到 $py}）；请用 --python 指定，例如 --python python$want"
  exit 1
fi
if [ "$(uname -m)" != "$(manifest arch)" ]; then
  say "本安装包适用于 $(manifest arch) 架构，本机为 $(uname -m)"
  exit 1
fi

# --- Debian packages: CJK font, fontconfig, LibreOffice (optional parts) -------------------
if [ "$with_debs" = 1 ] && [ -f "$bundle/debs/Packages" ]; then
  codename="$( (. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}") || true)"
  [ "$codename" = "$(manifest debian)" ] || \
    say "注意：Debian 软件包为 $(manifest debian) 版本制作，本机为 ${codename:-未知}，可能无法安装"
  top="$(cat "$bundle/debs/TOP")"
  apt_opts=(-o "Dir::Etc::SourceList=$bundle/debs/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
            -o "Dir::State::Lists=$bundle/debs/lists" -o "APT::Get::List-Cleanup=false"
            -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=")
  if [ "$(id -u)" = 0 ]; then
    say "安装 Debian 软件包：$top"
    mkdir -p "$bundle/debs/lists/partial"
    echo "deb [trusted=yes] file:$bundle/debs ./" > "$bundle/debs/sources.list"
    DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update -qq
    DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends $top
  else
    say "未以 root 身份运行，跳过 Debian 软件包。安装中文字体和 LibreOffice：sudo $bundle/install.sh --target $target"
  fi
fi

# --- source tree and virtual environment -------------------------------------------------------
if [ ! -f "$target/pyproject.toml" ]; then
  say "复制程序到 $target"
  mkdir -p "$target"
  cp -a "$bundle/src/." "$target/"
fi
target="$(cd "$target" && pwd)"
for v in $(env | sed -n 's/^\(PIP_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1
say "创建虚拟环境 $target/.venv 并从安装包安装 Python 依赖（不联网）"
[ -x "$target/.venv/bin/python" ] || "$py" -m venv "$target/.venv"
"$target/.venv/bin/python" -m pip install -q --no-index --find-links "$bundle/wheels" \
  -c "$bundle/wheels/constraints.txt" -e "$target"
touch "$target/.venv/.installed"   # `make run` then does not reinstall from the internet

# --- default model ----------------------------------------------------------------------------
home="${DINGMI_HOME:-$target/var}"
ver="$(cat "$bundle/model/CURRENT")"
mkdir -p "$home/models"
if [ ! -d "$home/models/$ver" ]; then
  cp -a "$bundle/model/$ver" "$home/models/"
  # Models load only when this data home signed them (issue 11 §7): the person installing the
  # bundle vouches for its model. Its files are checked against the sha256 its manifest
  # recorded, then signed with this installation's key (created 0600 under $home/keys).
  DINGMI_HOME="$home" "$target/.venv/bin/python" - "$home/models/$ver" <<'PYEOF'
import sys
from pathlib import Path

from classifier.engine.signing import read_manifest, verify_files
from classifier.training.registry import Registry

d = Path(sys.argv[1])
verify_files(d, read_manifest(d)[0])
Registry(d.parent).sign(d)
PYEOF
fi
if [ ! -s "$home/models/CURRENT" ]; then
  echo "$ver" > "$home/models/CURRENT"
  say "默认模型 $ver 已安装到 $home/models"
else
  say "数据目录已有当前模型 $(cat "$home/models/CURRENT")，未更改（安装包中的模型 $ver 已复制为可选版本）"
fi

say "安装完成。检查本机组件："
(cd "$target" && DINGMI_HOME="$home" "$target/.venv/bin/dingmi" doctor) || true
say "使用：cd $target && .venv/bin/dingmi suggest examples/ ；启动界面：make run"
