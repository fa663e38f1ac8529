# Sourced by scripts/*: makes `uv` available, installing the pinned release from PyPI if needed.
UV_VERSION=0.13.8
if ! command -v uv >/dev/null 2>&1; then
  if ! python3 -m uv --version >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check "uv==${UV_VERSION}" >&2
  fi
  uv() { python3 -m uv "$@"; }
fi
export UV_PYTHON_DOWNLOADS=never
