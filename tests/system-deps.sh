#!/usr/bin/env bash
# Installs the real servers the test suite talks to, when they are missing (Debian, as root).
set -euo pipefail
need=()
# Alertmanager, for tests/api/test_alertmanager_real.py (Debian ships it as prometheus-alertmanager)
[ -x /usr/bin/prometheus-alertmanager ] || command -v alertmanager >/dev/null || need+=(prometheus-alertmanager)
# Prometheus and promtool, for tests/tools/test_prometheus.py and the investigation suite's metrics (tests/evals/test_investigation_cases.py)
{ [ -x /usr/bin/prometheus ] || command -v prometheus >/dev/null; } && { [ -x /usr/bin/promtool ] || command -v promtool >/dev/null; } || need+=(prometheus)
# Chromium (and a font for its text), for the browser tests in tests/ui/
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
# systemd-analyze, to verify the unit files in docs/systemd/ (tests/docs/test_operations_doc.py)
command -v systemd-analyze >/dev/null || need+=(systemd)
[ -x /usr/lib/postgresql/15/bin/postgres ] || ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing ${need[*]}: install them (apt-get install ${need[*]}) or run as root" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
