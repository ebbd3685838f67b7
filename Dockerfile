FROM python:3.11.14-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext postgresql-client \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 cvms
WORKDIR /app
# Runtime requirements only: the image ships no test tools.
COPY requirements.txt .
RUN pip install -r requirements.txt
# The code belongs to root, so the app cannot change it; it writes only to the media volume.
COPY . .
# collectstatic runs with production storage (hashed, compressed); the throwaway key is build-only.
RUN CVMS_ENV=production DEBUG=false ALLOWED_HOSTS=build.invalid \
    SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    python manage.py collectstatic --noinput
# A named volume mounted here starts with this folder's owner, so uploads are writable.
RUN install -d -o cvms -g cvms /app/media
USER cvms
EXPOSE 8000
# Threads keep a client's connection open between requests (a sync worker closes each one), so a
# launch morning's crowd on keep-alive connections is served, not queued behind reconnects.
CMD ["gunicorn", "cvms.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-class", "gthread", "--threads", "4", "--access-logfile", "-"]
