from django.conf import settings


def jurisdiction(request):
    return {
        "CVMS_JURISDICTION_NAME": settings.CVMS_JURISDICTION_NAME,
        "CVMS_PROGRAM_NAME": program_name(),
        "CVMS_HELPDESK_PHONE": settings.CVMS_HELPDESK_PHONE,
        "CVMS_HELPDESK_HOURS": settings.CVMS_HELPDESK_HOURS,
        "CVMS_RECIPIENT_HELP_PHONE": settings.CVMS_RECIPIENT_HELP_PHONE,
    }


def program_name() -> str:
    from django.utils.translation import gettext

    return gettext("%(jurisdiction)s COVID-19 Vaccine Management System") % {
        "jurisdiction": settings.CVMS_JURISDICTION_NAME
    }
