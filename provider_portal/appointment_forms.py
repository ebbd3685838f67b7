"""Forms of the day list: choose a time to book someone or to move their appointment. The slot
list is the location's open times, so a slot of another location is not a choice."""

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from cvms.appointments.selectors import open_slots
from cvms.appointments.services import check_day_in_reach
from cvms.core.errors import ServiceError
from cvms.core.forms import UswdsFormMixin
from cvms.recipients.search import MAX_QUERY


class SlotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, slot):
        start = timezone.localtime(slot.starts_at)
        return _("%(day)s %(time)s — %(vaccine)s, dose %(dose)d (%(seats)d open)") % {
            "day": formats.date_format(start, "SHORT_DATE_FORMAT"), "time": formats.time_format(start, "TIME_FORMAT"),
            "vaccine": slot.schedule.product.display_name, "dose": slot.schedule.dose_number,
            "seats": slot.open_seats}


class SlotForm(UswdsFormMixin, forms.Form):
    slot = SlotChoiceField(label=_("Time"), queryset=None)

    def __init__(self, *args, location, moving=None, **kwargs):
        """``moving``: the appointment being moved (its own time is left out, and only times of its dose offered)."""
        super().__init__(*args, **kwargs)
        slots = open_slots(location=location).select_related("schedule__product")
        if moving is not None:
            slots = slots.exclude(pk=moving.slot_id).filter(schedule__dose_number=moving.dose_number)
        self.fields["slot"].queryset = slots


class FindForm(forms.Form):
    q = forms.CharField(label=_("Find the person"), required=False, max_length=MAX_QUERY,
                        help_text=_("Last name, \"first last\", date of birth, email or phone."),
                        widget=forms.TextInput(attrs={"type": "search", "class": "usa-input", "autocomplete": "off",
                                                      "aria-describedby": "id_q-hint"}))


class DayQueryForm(forms.Form):
    day = forms.DateField(label=_("Day"), required=False, input_formats=["%Y-%m-%d", "%m/%d/%Y"])

    def clean_day(self):
        day = self.cleaned_data["day"]
        try:
            return day and check_day_in_reach(day, field="day")
        except ServiceError as refusal:
            raise forms.ValidationError(str(refusal)) from refusal
