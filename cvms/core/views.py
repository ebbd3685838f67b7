import ipaddress
import logging

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cvms.core.health import health_report
from cvms.core.mail import mailbox_message, mailbox_names, mailbox_summaries
from cvms.core.sms import sms_kept

logger = logging.getLogger(__name__)


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


def _dev_mailbox_refusal(request):
    """Development mail holds sign-in and password links: it is shown only in development, to
    signed-in staff, on the machine itself (loopback), whatever address the server listens on."""
    if not (settings.DEBUG and settings.EMAIL_BACKEND == "cvms.core.mail.MailboxBackend"):
        raise Http404
    try:
        loopback = ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise Http404
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_staff:
        raise PermissionDenied
    return None


@require_GET
def dev_mailbox(request):
    if refusal := _dev_mailbox_refusal(request):
        return refusal
    page = Paginator(mailbox_names(), 50).get_page(request.GET.get("page"))
    return render(request, "core/mailbox.html", {"page": page, "messages_list": mailbox_summaries(page),
                                                 "texts": sms_kept(limit=50)})


@require_GET
def dev_mailbox_message(request, name):
    if refusal := _dev_mailbox_refusal(request):
        return refusal
    message = mailbox_message(name)
    if message is None:
        raise Http404
    return render(request, "core/mailbox_message.html", {"message": message})


def _error_page(request, template: str, status: int) -> HttpResponse:
    """An error page in the site's layout, or a plain one when the layout cannot be drawn (the
    error may be the database the layout reads the signed-in user from)."""
    try:
        return render(request, template, status=status)
    except Exception:  # noqa: BLE001 (whatever broke, the person still gets an answer)
        logger.exception("The %s page could not be drawn in the site's layout", status)
        text = escape(_("Something went wrong. Try again in a moment; if it happens again, call the help desk."))
        return HttpResponse(f"<!DOCTYPE html><title>CVMS</title><p>{text} {escape(settings.CVMS_HELPDESK_PHONE)}</p>",
                            status=status)


def bad_request(request, exception):
    return _error_page(request, "400.html", 400)


def server_error(request):
    return _error_page(request, "500.html", 500)


def csrf_failure(request, reason=""):
    return _error_page(request, "403_csrf.html", 403)
