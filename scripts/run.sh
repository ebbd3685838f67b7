#!/usr/bin/env bash
# Start the Celery worker and beat in the background and the web server in the foreground.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST="${1:-127.0.0.1}"
PORT="${2:-8000}"
PY=.venv/bin/python
mkdir -p .var/log .var/run
stop_background() {
  for name in worker beat; do
    [ -s ".var/run/$name.pid" ] && kill "$(cat ".var/run/$name.pid")" 2>/dev/null || true
  done
}
stop_background
trap stop_background EXIT INT TERM
.venv/bin/celery -A cvms worker --loglevel=INFO --concurrency=2 -Q cvms \
  --pidfile=.var/run/worker.pid --logfile=.var/log/worker.log --detach
.venv/bin/celery -A cvms beat --loglevel=INFO --schedule=.var/run/celerybeat-schedule \
  --pidfile=.var/run/beat.pid --logfile=.var/log/beat.log --detach
cat <<BANNER

============================================================================
 CVMS is starting at http://$HOST:$PORT/
   health:      http://$HOST:$PORT/healthz
   API docs:    http://$HOST:$PORT/api/v1/docs/   (schema: /api/v1/schema/)
   admin:       http://$HOST:$PORT/admin/
   dev mailbox: http://$HOST:$PORT/dev/mail/      (every email sent; staff, on this machine)
 Worker and beat logs: .var/log/   Stop with Ctrl-C; 'make services-stop' stops the databases.
BANNER
sed 's/^/ /' .var/demo-logins.txt
echo "============================================================================"
$PY manage.py runserver "$HOST:$PORT"
