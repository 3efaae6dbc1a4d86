#!/usr/bin/env bash
# Run the whole test suite against real PostgreSQL, Redis and S3 (see scripts/services.sh).
#
#   scripts/test.sh [pytest args...]        extra arguments also come from PYTEST_ARGS
#
# Services named by DATABASE_URL / REDIS_URL / S3_ENDPOINT are used when they answer; anything else
# is started here and stopped on exit, whether pytest passed, failed or was interrupted. The exit
# status is pytest's; "no tests collected" (5) is a failure like any other non-zero status.
# TEST_TIMEOUT (seconds, default 5400 = CI's 90 minutes, 0 = none) bounds the pytest run: a hung
# test must not hang CI, but a busy machine must never be cut short before CI itself would stop.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PY:-.venv/bin/python}

# shellcheck source=scripts/services.sh
source scripts/services.sh

pytest_pid=""

# On INT/TERM: let pytest finish its teardown (a terminal's Ctrl-C reaches it directly; otherwise
# pass the signal on), then exit so the EXIT trap stops the services.
# shellcheck disable=SC2317,SC2329  # called from the traps below
on_signal() {
  local signal=$1 code=$2 waited=0
  if [[ -n $pytest_pid ]]; then
    [[ $signal == INT ]] || kill -"$signal" "$pytest_pid" 2>/dev/null || true
    while kill -0 "$pytest_pid" 2>/dev/null && ((waited < 100)); do
      sleep 0.1
      waited=$((waited + 1))
    done
    kill -TERM "$pytest_pid" 2>/dev/null || true
    wait "$pytest_pid" 2>/dev/null || true
  fi
  exit "$code"
}

trap 'services_stop || true' EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM

services_start

# Browser tests drive Debian's Chromium (never a browser downloaded by a test tool).
if [[ -z ${CHROMIUM_PATH:-} ]]; then
  command -v chromium >/dev/null 2>&1 || _svc_apt_install chromium
  CHROMIUM_PATH=$(command -v chromium)
fi
export CHROMIUM_PATH

# Tests read generated PDFs back as text and images (poppler-utils: pdftotext, pdftoppm).
command -v pdftotext >/dev/null 2>&1 || _svc_apt_install poppler-utils

# English translations are compiled from their sources (app/translations/parts/*.po).
"$PY" scripts/build_translations.py

# Words of PYTEST_ARGS keep their shell quoting: PYTEST_ARGS='-k "calendar and not slow"'.
extra=()
eval "extra=(${PYTEST_ARGS:-})"
# A hung test must not hang CI: after TEST_TIMEOUT seconds pytest gets SIGABRT, on which its
# faulthandler prints every thread's stack, then SIGKILL if it is still there 15 s later.
timeout_seconds=${TEST_TIMEOUT:-5400}
watchdog=()
if ((timeout_seconds > 0)); then
  watchdog=(timeout --foreground --signal=ABRT --kill-after=15 "$timeout_seconds")
fi

# In the background so a TERM is handled at once; INT is restored (a background job ignores it).
(
  trap - INT QUIT
  ulimit -c 0 # no core file from the SIGABRT above
  exec "${watchdog[@]}" "$PY" -m pytest "${extra[@]}" "$@"
) &
pytest_pid=$!
rc=0
wait "$pytest_pid" || rc=$?
pytest_pid=""
if ((${#watchdog[@]} > 0 && (rc == 124 || rc == 134 || rc == 137))); then
  echo "test.sh: pytest was stopped after TEST_TIMEOUT=${timeout_seconds}s (thread stacks above)" >&2
elif ((rc == 5)); then
  echo "test.sh: pytest collected no tests; that counts as a failure" >&2
fi
exit "$rc"
