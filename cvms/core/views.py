from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cvms.core.health import health_report
from cvms.core.mail import mailbox_message, mailbox_messages


@require_GET
def home(request):
    return render(request, "home.html")


@never_cache
@require_GET
def livez(request):
    """Liveness: the process serves requests. Touches nothing else, so it answers in microseconds."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def healthz(request):
    """Readiness: the database, Redis and a worker (its heartbeat); 503 names what failed."""
    healthy, checks = health_report()
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


def _require_dev_mailbox():
    if not (settings.DEBUG and settings.EMAIL_BACKEND == "cvms.core.mail.MailboxBackend"):
        raise Http404


@require_GET
def dev_mailbox(request):
    _require_dev_mailbox()
    return render(request, "core/mailbox.html", {"messages_list": mailbox_messages()})


@require_GET
def dev_mailbox_message(request, name):
    _require_dev_mailbox()
    message = mailbox_message(name)
    if message is None:
        raise Http404
    return render(request, "core/mailbox_message.html", {"message": message})
