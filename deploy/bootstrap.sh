# Sourced by start.sh and test.sh: makes sure this machine has what the product needs.
# Idempotent and quick when everything is already there.
set -euo pipefail

need_apt=()
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || need_apt+=(maven)
if [ "${#need_apt[@]}" -gt 0 ]; then
  echo "installing ${need_apt[*]} from Debian's packages..."
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_apt[@]}" >/dev/null
fi

if ! command -v uv >/dev/null 2>&1; then
  echo "installing uv from PyPI..."
  python3 -m pip install --quiet uv
fi

# The locked environment (.venv), exactly as uv.lock pins it.
uv sync --frozen --quiet
