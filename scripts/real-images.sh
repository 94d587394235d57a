#!/usr/bin/env bash
# Installs the Debian packages whose icons and wallpapers the truncation tests ingest as real
# images no one here made (tests/ImageDedup.Tests/Truncation/RealImagesTests.cs). Sourced or run by
# test.sh; quiet, and fails loudly when the packages are missing and cannot be installed.
real_image_packages=(adwaita-icon-theme tango-icon-theme desktop-base gnome-backgrounds libtk8.6)
install_real_images() {
  local missing=() p
  for p in "${real_image_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "real-images: ${missing[*]} missing; install them (as root: apt-get install ${missing[*]})" >&2
    return 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null >/dev/null &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null ||
    { echo "real-images: apt-get install ${missing[*]} failed" >&2; return 1; }
}
if [ "${BASH_SOURCE[0]}" = "$0" ]; then install_real_images; fi
