from django.conf import settings


def jurisdiction(request):
    return {
        "CVMS_JURISDICTION_NAME": settings.CVMS_JURISDICTION_NAME,
        "CVMS_PROGRAM_NAME": program_name(),
        "CVMS_HELPDESK_PHONE": settings.CVMS_HELPDESK_PHONE,
        "CVMS_HELPDESK_HOURS": helpdesk_hours(),
        "CVMS_RECIPIENT_HELP_PHONE": settings.CVMS_RECIPIENT_HELP_PHONE,
    }


def program_name() -> str:
    from django.utils.translation import gettext

    return gettext("%(jurisdiction)s COVID-19 Vaccine Management System") % {
        "jurisdiction": settings.CVMS_JURISDICTION_NAME
    }


def helpdesk_hours() -> str:
    """The help desk's hours as written for the active language (``CVMS_HELPDESK_HOURS`` is the
    English text, ``CVMS_HELPDESK_HOURS_ES`` the Spanish)."""
    from django.utils.translation import get_language

    return {"es": settings.CVMS_HELPDESK_HOURS_ES}.get(get_language(), settings.CVMS_HELPDESK_HOURS)


def downtime(request):
    """The downtime banner every page shows during a notice period and its window (read from the
    cache: no query)."""
    from django.utils.translation import get_language

    from cvms.core.downtime import downtime_banner

    return {"CVMS_DOWNTIME": downtime_banner(language=get_language())}
