from django import forms
from django.utils.translation import gettext_lazy as _

from cvms.core.forms import UswdsFormMixin
from cvms.eligibility.choices import LivingSetting, MedicalCondition
from cvms.recipients.choices import Industry

#: "I do not work outside my home": stored as no industry.
NO_WORK = "none"


class GroupQuestionsForm(UswdsFormMixin, forms.Form):
    """Find My Group's questions; the service checks the answers and finds the group."""

    industry = forms.ChoiceField(label=_("Where do you work?"), widget=forms.RadioSelect,
                                 choices=[*Industry.choices, (NO_WORK, _("I do not work outside my home"))],
                                 help_text=_("Choose the closest. Health care includes home health and pharmacies."))
    conditions = forms.MultipleChoiceField(label=_("Do you have any of these conditions?"), required=False,
                                           widget=forms.CheckboxSelectMultiple, choices=MedicalCondition.choices,
                                           help_text=_("Choose all that apply, or none."))
    living_setting = forms.ChoiceField(label=_("Where do you live?"), widget=forms.RadioSelect,
                                       choices=LivingSetting.choices)

    @classmethod
    def initial_from(cls, answers) -> dict:
        if answers is None:
            return {}
        return {"industry": answers.industry or NO_WORK, "conditions": answers.conditions,
                "living_setting": answers.living_setting}

    def answers(self) -> dict:
        data = self.cleaned_data
        return {"industry": "" if data["industry"] == NO_WORK else data["industry"],
                "conditions": list(data["conditions"]), "living_setting": data["living_setting"]}
