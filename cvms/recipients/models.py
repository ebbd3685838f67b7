"""Recipients: the people who may receive vaccine (table ``registry_recipient``, as before)."""

import datetime

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import DateTimeField, F, Func, Q, Value
from django.db.models.functions import Coalesce, Collate, Concat, Lower, Upper
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cvms.core.validators import validate_mail_address
from cvms.organizations.models import Address, Location, Organization
from cvms.recipients import choices as c

#: "FIRST LAST", the text that name search matches, trigram-indexed as one expression.
SEARCH_NAME = Upper(Concat("first_name", Value(" "), "last_name"))

#: When a recipient completed registration, those who have not yet at a date no registration
#: reaches: the key an employer's list sorts by registration on, indexed as it is written here.
REGISTRATION_NOT_YET = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)
REGISTERED_KEY = Coalesce("registered_at", Value(REGISTRATION_NOT_YET, output_field=DateTimeField()))


class NameKey(Func):
    """A name as the check-in search compares it: without accents, lower case, a hyphen read as a
    space, apostrophes and periods dropped ("Peña-O'Neil" is "pena oneil"). The SQL function
    ``recipient_name_key`` (migration ``0004_checkin_search``) is immutable, so it can be indexed."""

    function = "recipient_name_key"
    output_field = models.CharField()


def name_key(field: str) -> Collate:
    """The indexed key of a name column, in byte order ("C"): a prefix ``LIKE`` walks the index in
    the order results are shown, whatever the database's own collation."""
    return Collate(NameKey(field), "C")


class RecipientQuerySet(models.QuerySet):
    def same_person(self, *, first_name: str, last_name: str, date_of_birth):
        return self.filter(
            first_name__iexact=first_name.strip(), last_name__iexact=last_name.strip(), date_of_birth=date_of_birth
        )

    def loaded_at(self, location):
        return self.filter(source_location=location)

    def search(self, text: str):
        """Every word appears in the first or the last name, ignoring case (trigram-indexed).
        Words hold no spaces, so a word found in "FIRST LAST" is found in one of the names."""
        query = self.alias(search_name=SEARCH_NAME)
        for word in text.split()[:5]:
            query = query.filter(search_name__contains=word.upper())
        return query


class Recipient(Address):
    """A person who may receive vaccine. The same person is one row: first name, last name
    (case-insensitive) and date of birth are unique together."""

    first_name = models.CharField(_("legal first name"), max_length=100)
    last_name = models.CharField(_("legal last name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    email = models.EmailField(_("email"), blank=True, validators=[validate_mail_address])
    phone = models.CharField(_("phone"), max_length=15, blank=True, help_text=_("Digits only, e.g. 9195555555."))
    sex = models.CharField(_("sex"), max_length=1, choices=c.Sex.choices, default=c.Sex.UNKNOWN)
    race = ArrayField(
        models.CharField(max_length=6, choices=c.Race.choices), verbose_name=_("race"), default=list, blank=True, size=6
    )
    ethnicity = models.CharField(_("ethnicity"), max_length=6, choices=c.Ethnicity.choices, default=c.Ethnicity.UNKNOWN)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default="en"
    )
    contact_preference = models.CharField(
        _("how to contact me"), max_length=5, choices=c.ContactPreference.choices, default=c.ContactPreference.EMAIL,
        db_default=c.ContactPreference.EMAIL.value,
        help_text=_("Reminders and confirmations go by email to people who chose email, by text message to people "
                    "who chose texts, and not at all to the others."),
    )
    # Indexes: a million-row load maintains every index of this table for every row, so each
    # one earns its place. The composite indexes below serve the foreign keys to locations and
    # employers; the creator, county and username are indexed only where they are filled in.
    county = models.CharField(_("county"), max_length=100, blank=True)
    employer = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="employees",
        verbose_name=_("employer"), db_index=False,
    )
    industry = models.CharField(_("industry"), max_length=32, choices=c.Industry.choices, blank=True)
    source = models.CharField(_("how the record arrived"), max_length=32, choices=c.RecipientSource.choices)
    source_location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="loaded_recipients", db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False,
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="recipient"
    )
    portal_username = models.CharField(
        _("portal username"), max_length=300, null=True, blank=True,
        help_text=_("The email followed by the portal suffix, numbered when several recipients share an email."),
    )
    welcome_email_status = models.CharField(
        _("welcome email"), max_length=10, choices=c.WelcomeEmailStatus.choices, default=c.WelcomeEmailStatus.NOT_SENT
    )
    welcome_email_sent_at = models.DateTimeField(_("welcome email sent"), null=True, blank=True)
    #: Why the welcome email failed, as a code and its values (``WELCOME_FAILURES``), worded when read.
    welcome_email_failure = models.JSONField(_("welcome email failure"), null=True, blank=True)
    welcome_email_claimed_at = models.DateTimeField(
        _("welcome email taken"), null=True, blank=True,
        help_text=_("When a sender took the email (sending), or when it was queued again (pending)."),
    )
    welcome_link_requested_at = models.DateTimeField(
        _("new welcome link asked for"), null=True, blank=True,
        help_text=_("When a new welcome link was last sent on request: one per wait, however often it is asked for."),
    )
    #: When the recipient completed the COVID-19 Vaccination Registration form in the Recipient Portal.
    #: Empty until then: employers and staff see "registration completed" from this.
    registered_at = models.DateTimeField(_("registration completed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RecipientQuerySet.as_manager()

    class Meta:
        db_table = "registry_recipient"  # the table of the former registry app: no data moved
        ordering = ["last_name", "first_name"]
        indexes = [
            GinIndex(OpClass(SEARCH_NAME, name="gin_trgm_ops"), name="recipient_name_trgm"),
            # Keyset pagination of a location's loaded recipients, sorted by any column.
            models.Index(fields=["source_location", "last_name", "id"], name="recipient_loc_last_idx"),
            models.Index(fields=["source_location", "first_name", "id"], name="recipient_loc_first_idx"),
            models.Index(fields=["source_location", "date_of_birth", "id"], name="recipient_loc_dob_idx"),
            models.Index(fields=["source_location", "email", "id"], name="recipient_loc_email_idx"),
            models.Index(fields=["welcome_email_status", "created_at"], name="recipient_welcome_waiting_idx",
                         condition=Q(welcome_email_status__in=["due", "pending", "sending"])),
            # The help desk's list of failed welcome emails, newest first (few rows, so cheap to keep).
            models.Index(fields=["-id"], name="recipient_welcome_failed_idx",
                         condition=Q(welcome_email_status="failed")),
            models.Index(fields=["employer", "last_name", "id"], name="recipient_employer_last_idx",
                         condition=Q(employer__isnull=False)),
            # An employer's employee list, page by page, sorted by name, date added or registration
            # (``employees.employees_page``).
            models.Index(fields=["employer", "last_name", "first_name", "id"], name="recipient_employer_name_idx",
                         condition=Q(employer__isnull=False)),
            models.Index(fields=["employer", "created_at", "id"], name="recipient_employer_added_idx",
                         condition=Q(employer__isnull=False)),
            models.Index(F("employer"), REGISTERED_KEY, F("id"),
                         name="recipient_employer_reg_idx", condition=Q(employer__isnull=False)),
            # Recipients loaded at a location and how many registered, read from the index alone (the
            # dashboards).
            models.Index(fields=["source_location"], include=["registered_at"], name="recipient_loc_count_idx"),
            # Employees and how many registered, per employer, read from the index alone (the dashboards).
            models.Index(fields=["employer"], include=["registered_at"], name="recipient_employer_count_idx",
                         condition=Q(employer__isnull=False)),
            models.Index(fields=["county"], name="recipient_county_idx", condition=~Q(county="")),
            # The check-in search (selectors.recipients_find): a name (last name first, then first
            # name and date of birth in the same index), a date of birth, an email, a phone.
            models.Index(name_key("last_name"), name_key("first_name"), "date_of_birth", name="recipient_name_key_idx"),
            models.Index(fields=["date_of_birth"], name="recipient_dob_idx"),
            models.Index(OpClass(Lower("email"), name="text_pattern_ops"), name="recipient_email_idx"),
            # Bulk uploads carry no phone, so this one costs them nothing.
            models.Index(fields=["phone"], name="recipient_phone_idx", condition=~Q(phone="")),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("first_name"), Lower("last_name"), "date_of_birth", name="recipient_same_person_unique"
            ),
            # Unique, and serves the prefix search for the next free username of a shared email.
            models.UniqueConstraint(fields=["portal_username"], opclasses=["varchar_pattern_ops"],
                                    condition=Q(portal_username__isnull=False), name="recipient_username_unique"),
            models.CheckConstraint(condition=Q(phone__regex=r"^[0-9]*$"), name="recipient_phone_digits"),
            models.CheckConstraint(condition=~Q(first_name="") & ~Q(last_name=""), name="recipient_names_present"),
        ]
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")

    def __str__(self):
        return f"{self.first_name} {self.last_name} ({self.date_of_birth:%m/%d/%Y})"

    @property
    def welcome_email_failure_text(self) -> str:
        """Why the welcome email failed, in the active language ("" when it did not)."""
        if not self.welcome_email_failure:
            return ""
        code, values = self.welcome_email_failure
        return gettext(c.WELCOME_FAILURES[code]) % values


class RecipientClaim(models.Model):
    """Someone claiming a recipient record that has no account (a walk-in, a record a provider
    entered) with a one-time code sent to the email or phone on file (``cvms.recipients.claims``).
    Only a keyed hash of the code is kept; the code itself is chosen by the task that sends it."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        TEXT = "text", _("Text message")

    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="claims")
    channel = models.CharField(_("sent by"), max_length=5, choices=Channel.choices)
    code_hash = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    proven_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["recipient", "created_at"], name="recipient_claim_recent_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(used_at__isnull=True) | Q(proven_at__isnull=False),
                                   name="recipient_claim_used_once_proven"),
        ]

    def __str__(self):
        return f"claim {self.pk} of recipient {self.recipient_id}"


def _one_of(field: str, choices) -> Q:
    return Q(**{f"{field}__in": [value for value, _label in choices]})


class HealthScreening(models.Model):
    """A recipient's answers to the health questions of the registration form, one row per
    recipient, replaced when they answer again (``cvms.recipients.registration``)."""

    recipient = models.OneToOneField(Recipient, on_delete=models.CASCADE, related_name="health_screening")
    severe_allergy = models.CharField(max_length=6, choices=c.HealthAnswer.choices)
    pregnant = models.CharField(max_length=6, choices=c.HealthAnswer.choices)
    bleeding_disorder = models.CharField(max_length=6, choices=c.HealthAnswer.choices)
    immunocompromised = models.CharField(max_length=6, choices=c.HealthAnswer.choices)
    recent_covid = models.CharField(max_length=6, choices=c.HealthAnswer.choices)
    recent_vaccine = models.CharField(max_length=6, choices=c.HealthAnswer.choices)
    answered_at = models.DateTimeField(_("answered"))

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(*(_one_of(name, c.HealthAnswer.choices) for name in c.HEALTH_QUESTIONS)),
                                   name="health_screening_answers_known"),
        ]
        verbose_name = _("health screening")
        verbose_name_plural = _("health screenings")

    def __str__(self):
        return f"health screening of recipient {self.recipient_id}"


class RecipientRequest(models.Model):
    """A request about a recipient record that staff act on: a correction a recipient asks for,
    or the removal an employer's coordinator asks for. Opened and resolved through
    ``cvms.recipients.requests``; whoever asked is emailed when it is resolved (the recipient for
    a correction, the coordinator for a removal). A request outlives the record it was about (a
    removal done): the name it was about is kept, never the date of birth."""

    recipient = models.ForeignKey(Recipient, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="requests", verbose_name=_("recipient"))
    #: The record's name when the request was made, read once the record is gone.
    recipient_name = models.CharField(_("name on the record"), max_length=201, blank=True)
    #: The employer whose coordinator asked for a removal (empty for a recipient's own request).
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="recipient_requests", verbose_name=_("asked by the organization"))
    kind = models.CharField(_("kind"), max_length=10, choices=c.RequestKind.choices)
    subject = models.CharField(_("about"), max_length=16, choices=c.CorrectionSubject.choices, blank=True)
    details = models.CharField(_("what is wrong"), max_length=1000)
    wanted = models.CharField(_("what it should be"), max_length=1000, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("asked by"))
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=8, choices=c.RequestStatus.choices,
                              default=c.RequestStatus.OPEN)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("resolved by"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    note = models.CharField(_("note to the recipient"), max_length=1000, blank=True)
    notified_at = models.DateTimeField(_("recipient emailed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # Staff's queue of open requests, oldest first (few rows: resolved ones leave it).
            models.Index(fields=["created_at"], name="recipient_request_open_idx", condition=Q(status="open")),
            models.Index(fields=["recipient", "-created_at"], name="recipient_request_mine_idx"),
            # An employer's removal requests, newest first (its coordinators' list).
            models.Index(fields=["organization", "-created_at"], name="recipient_request_org_idx",
                         condition=Q(organization__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(condition=_one_of("status", c.RequestStatus.choices),
                                   name="recipient_request_status_known"),
            models.CheckConstraint(condition=_one_of("kind", c.RequestKind.choices),
                                   name="recipient_request_kind_known"),
            # Open means unresolved; resolved means by someone (or by a removed account) at a time.
            models.CheckConstraint(condition=Q(status="open", resolved_at__isnull=True)
                                   | (~Q(status="open") & Q(resolved_at__isnull=False)),
                                   name="recipient_request_resolved_when_closed"),
            models.CheckConstraint(condition=~Q(details=""), name="recipient_request_details_present"),
            # Only a removal is asked for by an organization, and a removal always is.
            models.CheckConstraint(condition=Q(kind="removal", organization__isnull=False)
                                   | (~Q(kind="removal") & Q(organization__isnull=True)),
                                   name="recipient_request_removal_by_organization"),
            # One removal of a record waits at a time, however many coordinators ask.
            models.UniqueConstraint(fields=["recipient"], condition=Q(kind="removal", status="open"),
                                    name="recipient_request_one_open_removal"),
        ]
        verbose_name = _("request about a recipient record")
        verbose_name_plural = _("requests about recipient records")

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"
