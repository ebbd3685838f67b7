"""Vaccine groups (the state's phases of eligibility), the criteria that put a person in one, and
each recipient's answers to Find My Group with the group they found."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cvms.eligibility.choices import LivingSetting, MedicalCondition
from cvms.recipients.choices import Industry

MAX_AGE = 130


class VaccineGroup(models.Model):
    """A group of people vaccinated together. Opening and closing go through
    ``cvms.eligibility.services``; the first group, by order, whose criteria match is a person's."""

    name_en = models.CharField(_("name (English)"), max_length=200)
    name_es = models.CharField(_("name (Spanish)"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), unique=True)
    is_open = models.BooleanField(_("being vaccinated now"), default=False)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)

    class Meta:
        ordering = ["order"]
        verbose_name = _("vaccine group")
        verbose_name_plural = _("vaccine groups")
        constraints = [
            models.CheckConstraint(condition=~Q(name_en="") & ~Q(name_es=""), name="vaccinegroup_named"),
            models.CheckConstraint(condition=Q(is_open=False) | Q(opened_at__isnull=False),
                                   name="vaccinegroup_open_has_opened_at"),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.name_es if (get_language() or "en").startswith("es") else self.name_en


class GroupCriterion(models.Model):
    """One way into a group: every part it sets must match (an age range, one of the industries,
    one of the conditions, one of the living settings); a group is matched by any of its criteria."""

    group = models.ForeignKey(VaccineGroup, on_delete=models.CASCADE, related_name="criteria",
                              verbose_name=_("vaccine group"))
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    industries = ArrayField(models.CharField(max_length=40, choices=Industry.choices), verbose_name=_("industries"),
                            default=list, blank=True)
    conditions = ArrayField(models.CharField(max_length=40, choices=MedicalCondition.choices),
                            verbose_name=_("medical conditions"), default=list, blank=True)
    living_settings = ArrayField(models.CharField(max_length=40, choices=LivingSetting.choices),
                                 verbose_name=_("living settings"), default=list, blank=True)

    class Meta:
        ordering = ["group__order", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.CheckConstraint(condition=Q(min_age__isnull=True) | Q(min_age__lte=MAX_AGE),
                                   name="groupcriterion_min_age_range"),
            models.CheckConstraint(condition=Q(max_age__isnull=True) | Q(max_age__lte=MAX_AGE),
                                   name="groupcriterion_max_age_range"),
            models.CheckConstraint(condition=Q(min_age__isnull=True) | Q(max_age__isnull=True)
                                   | Q(min_age__lte=models.F("max_age")), name="groupcriterion_age_order",
                                   violation_error_message=_("The maximum age is below the minimum age.")),
            models.CheckConstraint(condition=Q(industries__contained_by=Industry.values),
                                   name="groupcriterion_industries_coded"),
            models.CheckConstraint(condition=Q(conditions__contained_by=MedicalCondition.values),
                                   name="groupcriterion_conditions_coded"),
            models.CheckConstraint(condition=Q(living_settings__contained_by=LivingSetting.values),
                                   name="groupcriterion_settings_coded"),
            models.CheckConstraint(condition=Q(min_age__isnull=False) | Q(max_age__isnull=False)
                                   | ~Q(industries=[]) | ~Q(conditions=[]) | ~Q(living_settings=[]),
                                   name="groupcriterion_says_something",
                                   violation_error_message=_(
                                       "Give the criterion an age, an industry, a condition or a living setting.")),
        ]

    def __str__(self):
        return f"{self.group}: {self.pk}"


class EligibilityAnswers(models.Model):
    """What a recipient answered (their age comes from the date of birth on file) and the group
    those answers found: one row per recipient, replaced when they answer again."""

    recipient = models.OneToOneField("recipients.Recipient", on_delete=models.CASCADE,
                                     related_name="eligibility", verbose_name=_("recipient"))
    industry = models.CharField(_("industry"), max_length=40, choices=Industry.choices, blank=True)
    conditions = ArrayField(models.CharField(max_length=40, choices=MedicalCondition.choices),
                            verbose_name=_("medical conditions"), default=list, blank=True)
    living_setting = models.CharField(_("living setting"), max_length=40, choices=LivingSetting.choices)
    group = models.ForeignKey(VaccineGroup, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="answers", verbose_name=_("vaccine group"))
    answered_at = models.DateTimeField(_("answered at"))
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("answered by"))

    class Meta:
        verbose_name = _("Find My Group answers")
        verbose_name_plural = _("Find My Group answers")
        constraints = [
            models.CheckConstraint(condition=Q(industry="") | Q(industry__in=Industry.values),
                                   name="eligibilityanswers_industry_coded"),
            models.CheckConstraint(condition=Q(conditions__contained_by=MedicalCondition.values),
                                   name="eligibilityanswers_conditions_coded"),
            models.CheckConstraint(condition=Q(living_setting__in=LivingSetting.values),
                                   name="eligibilityanswers_setting_coded"),
        ]
        indexes = [models.Index(fields=["group", "recipient"], name="eligibility_group_idx")]


class GroupOpenedEmail(models.Model):
    """The claim of one "your group is open" email: one per group and recipient, ever, so a group
    closed and opened again, or a retried run, never emails anyone twice."""

    group = models.ForeignKey(VaccineGroup, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey("recipients.Recipient", on_delete=models.CASCADE, related_name="+")
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "recipient"], name="groupopenedemail_once")]
