"""Find My Group: a recipient answers a few questions (their age comes from the date of birth on
file) and sees their vaccine group and whether it is being vaccinated now."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cvms.accounts.decorators import role_required
from cvms.accounts.models import Role
from cvms.core.errors import ServiceError
from cvms.core.forms import add_refusal
from cvms.eligibility.selectors import recipient_answers
from cvms.eligibility.services import eligibility_answer
from recipient_portal.access import access_recipient_by_user
from recipient_portal.groups_forms import GroupQuestionsForm


@require_http_methods(["GET", "POST"])
@role_required(Role.RECIPIENT)
def group_questions(request):
    recipient = access_recipient_by_user(request.user)
    form = GroupQuestionsForm(request.POST or None,
                              initial=GroupQuestionsForm.initial_from(recipient_answers(recipient)))
    if request.method == "POST" and form.is_valid():
        try:
            eligibility_answer(recipient=recipient, actor=request.user, **form.answers())
            return redirect("recipient_portal:group")
        except ServiceError as refusal:
            add_refusal(form, refusal)
    return render(request, "recipient_portal/groups/questions.html", {"recipient": recipient, "form": form},
                  status=400 if form.errors else 200)


@require_GET
@role_required(Role.RECIPIENT)
def group(request):
    recipient = access_recipient_by_user(request.user)
    answers = recipient_answers(recipient)
    if answers is None:
        return redirect("recipient_portal:group_questions")
    return render(request, "recipient_portal/groups/result.html", {"recipient": recipient, "answers": answers})
