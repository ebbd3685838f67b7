"""Forms of the Schedules tab. They only read what was typed; the services hold the rules and name
the field they refuse."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from cvms.appointments.models import Schedule
from cvms.appointments.services import MAX_SEATS
from cvms.core.forms import DATE_FORMATS, UswdsFormMixin
from cvms.inventory.models import VaccineProduct

WEEKDAYS = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday")),
            (5, _("Saturday")), (6, _("Sunday"))]
DOSES = [(n, str(n)) for n in range(1, 7)]
TIME_FORMATS = ["%H:%M", "%I:%M %p", "%I:%M%p", "%I %p"]


def _date(label, **kwargs):
    return forms.DateField(label=label, help_text=_("MM/DD/YYYY"), input_formats=DATE_FORMATS,
                           widget=forms.DateInput(format="%m/%d/%Y", attrs={"autocomplete": "off"}), **kwargs)


def _time(label):
    return forms.TimeField(label=label, help_text=_("For example 09:00 or 2:30 PM"), input_formats=TIME_FORMATS,
                           widget=forms.TimeInput(format="%H:%M", attrs={"autocomplete": "off"}))


class ScheduleForm(UswdsFormMixin, forms.Form):
    product = forms.ModelChoiceField(label=_("Vaccine"), queryset=VaccineProduct.objects.order_by("display_name"))
    dose_number = forms.TypedChoiceField(label=_("Dose"), choices=DOSES, coerce=int)
    weekdays = forms.TypedMultipleChoiceField(label=_("Days of the week"), choices=WEEKDAYS, coerce=int,
                                              widget=forms.CheckboxSelectMultiple)
    opens_at = _time(_("Opens"))
    closes_at = _time(_("Closes"))
    slot_minutes = forms.IntegerField(label=_("Minutes a time"), help_text=_("From 5 to 240."),
                                      widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    capacity = forms.IntegerField(label=_("People a time"), widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    first_day = _date(_("First day"))
    last_day = _date(_("Last day"))
    closed_days = forms.CharField(
        label=_("Closed dates"), required=False, max_length=1000,
        help_text=_("Optional. Dates the location is closed, MM/DD/YYYY, separated by commas."))

    def clean_closed_days(self) -> list[datetime.date]:
        days = []
        for text in (part.strip() for part in self.cleaned_data["closed_days"].split(",")):
            if not text:
                continue
            for fmt in DATE_FORMATS:
                try:
                    days.append(datetime.datetime.strptime(text, fmt).date())
                    break
                except ValueError:
                    continue
            else:
                raise forms.ValidationError(_("%(text)s is not a date: type MM/DD/YYYY.") % {"text": text})
        return sorted(set(days))


class SelfSchedulingForm(forms.Form):
    enabled = forms.TypedChoiceField(choices=[("on", "on"), ("off", "off")], coerce=lambda value: value == "on",
                                     widget=forms.HiddenInput)


class ScheduleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, schedule):
        return _("%(vaccine)s, dose %(dose)d, %(opens)s–%(closes)s, %(first)s to %(last)s") % {
            "vaccine": schedule.product.display_name, "dose": schedule.dose_number,
            "opens": f"{schedule.opens_at:%H:%M}", "closes": f"{schedule.closes_at:%H:%M}",
            "first": f"{schedule.first_day:%m/%d/%Y}", "last": f"{schedule.last_day:%m/%d/%Y}"}


class DayForm(UswdsFormMixin, forms.Form):
    """Block a day, open it again, or change its seats."""

    ACTIONS = [("block", _("Block the day")), ("unblock", _("Open the day again")), ("seats", _("Change the seats"))]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    day = _date(_("Day"))
    schedule = ScheduleChoiceField(label=_("Schedule"), queryset=None, required=False,
                                      help_text=_("Leave empty to block or open every schedule of the day."))
    seats = forms.IntegerField(label=_("Seats a time"), required=False, min_value=1, max_value=MAX_SEATS,
                               widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def __init__(self, *args, location, **kwargs):
        super().__init__(*args, **kwargs)
        schedules = Schedule.objects.filter(location=location).select_related("product")
        self.fields["schedule"].queryset = schedules.order_by("first_day", "pk")

    def clean(self):
        data = super().clean()
        if data.get("action") == "seats":
            if not data.get("schedule"):
                self.add_error("schedule", _("Choose the schedule whose seats change."))
            if data.get("seats") is None and "seats" not in self.errors:
                self.add_error("seats", _("Type the number of seats."))
        return data
